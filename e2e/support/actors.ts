import { ParleySystem, TEST_ADMIN_TOKEN, waitFor } from '@parley/testing';

/** Someone who can call the API: an id and a bearer token. */
export interface Actor {
  id: string;
  token: string;
}

let serial = 0;

export async function newAgent(
  system: ParleySystem,
  options: { capacity?: number; teams?: string[]; name?: string } = {},
): Promise<Actor> {
  serial += 1;
  const res = await system.api('POST', '/v1/agents', {
    token: TEST_ADMIN_TOKEN,
    body: { name: options.name ?? `Agent ${serial}`, email: `agent${serial}@example.com`, ...options },
  });
  if (res.status !== 202) throw new Error(`agent not created: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function newCustomer(system: ParleySystem, externalId = `crm-${++serial}`): Promise<Actor> {
  const res = await system.api('POST', '/v1/customers', { token: TEST_ADMIN_TOKEN, body: { externalId } });
  if (res.status !== 202) throw new Error(`customer not created: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function setPresence(system: ParleySystem, agent: Actor, status: 'online' | 'away' | 'offline') {
  const res = await system.api('PUT', '/v1/agents/me/presence', { token: agent.token, body: { status } });
  if (res.status !== 202) throw new Error(`presence not set: ${res.status}`);
}

/** Opens a conversation and waits until the conversation service has it. */
export async function openConversation(
  system: ParleySystem,
  customer: Actor,
  body: Record<string, unknown> = { body: 'Hello' },
): Promise<{ id: string; messageId: string }> {
  const res = await system.api('POST', '/v1/conversations', { token: customer.token, body });
  if (res.status !== 202)
    throw new Error(`conversation not opened: ${res.status} ${JSON.stringify(res.body)}`);
  await waitFor('the conversation to exist', async () => {
    const got = await system.api('GET', `/v1/conversations/${res.body.id}`, { token: customer.token });
    return got.status === 200;
  });
  return res.body;
}

export async function conversationAs(system: ParleySystem, actor: Actor, id: string) {
  const res = await system.api('GET', `/v1/conversations/${id}`, { token: actor.token });
  if (res.status !== 200) throw new Error(`conversation ${id}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Waits until the conversation, as the actor sees it, satisfies the check. */
export function eventuallyConversation(
  system: ParleySystem,
  actor: Actor,
  id: string,
  what: string,
  check: (conversation: Record<string, unknown>) => boolean,
) {
  return waitFor(what, async () => {
    const conversation = await conversationAs(system, actor, id);
    return check(conversation) ? conversation : undefined;
  });
}

export interface InboxEvent {
  id: string;
  cursor: string;
  type: string;
  conversationId: string | null;
  data: Record<string, unknown>;
}

/** The actor's whole inbox, read page by page from the beginning. */
export async function wholeInbox(system: ParleySystem, actor: Actor): Promise<InboxEvent[]> {
  const events: InboxEvent[] = [];
  let cursor: string | null = null;
  for (;;) {
    const query: string = cursor ? `?limit=200&cursor=${cursor}` : '?limit=200';
    const res = await system.api('GET', `/v1/inbox${query}`, { token: actor.token });
    if (res.status !== 200) throw new Error(`inbox: ${res.status} ${JSON.stringify(res.body)}`);
    events.push(...res.body.events);
    if (!res.body.events.length) return events;
    cursor = res.body.nextCursor;
  }
}
