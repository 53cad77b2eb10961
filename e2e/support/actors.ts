import { components, createParleyClient, ParleyClient, RequestBody } from '@parley/client';
import { ParleySystem, TEST_ADMIN_TOKEN, waitFor } from '@parley/testing';

/** Someone who can call the API: an id and a bearer token. */
export interface Actor {
  id: string;
  token: string;
}

type Schemas = components['schemas'];
export type Conversation = Schemas['ConversationItem'];
/** An inbox event as the tests read it: by field name across event types, which the union names only once narrowed. */
export type InboxEvent = Schemas['InboxEvent'] & { data: Record<string, unknown> };

/**
 * The typed client (@parley/client, generated from the gateway's OpenAPI document) of the system's
 * gateway, as the actor (or a raw token, or nobody). Going through it, a test compiles only while the
 * document describes the requests it makes and the answers it reads.
 */
export function clientOf(system: ParleySystem, who?: Actor | string): ParleyClient {
  return createParleyClient(system.gatewayUrl, typeof who === 'string' ? who : who?.token);
}

/** What a test reads of an answer: its status, its body (data or problem) and headers. */
export interface Answer<T> {
  status: number;
  body: T;
  headers: Headers;
}

/**
 * The answer of a typed call as `{status, body, headers}`: the body is the 2xx data, else the
 * problem. Typed by the success answer, as the specs read it after checking the status.
 */
export async function answer<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<Answer<T>> {
  const { data, error, response } = await call;
  return { status: response.status, body: (data ?? error) as T, headers: response.headers };
}

function refused(what: string, res: Answer<unknown>): Error {
  return new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
}

let serial = 0;

/** The password every agent the tests sign up sets: a test signs in with it, as the console does. */
export const AGENT_PASSWORD = 'correct horse battery staple';

/**
 * An agent, signed in the way a person signs in to the console: the admin invites them, they set
 * their password through the invite, and sign in with email and password. The token is that
 * sign-in's access token (PARLEY_ACCESS_TOKEN_TTL_SECONDS, 15 minutes by default).
 */
export async function newAgent(
  system: ParleySystem,
  options: { capacity?: number; teams?: string[]; name?: string } = {},
): Promise<Actor> {
  serial += 1;
  const email = `agent${serial}@example.com`;
  const { id } = await newSignedUpAgent(system, {
    ...options,
    name: options.name ?? `Agent ${serial}`,
    email,
    password: AGENT_PASSWORD,
  });
  const session = await answer(
    clientOf(system).POST('/v1/sessions', { body: { email, password: AGENT_PASSWORD } }),
  );
  if (session.status !== 201) throw refused('agent not signed in', session);
  return { id, token: session.body.token };
}

/** An agent invited by the admin who has set their password through the invite, as the console signs in. */
export async function newSignedUpAgent(
  system: ParleySystem,
  options: {
    name: string;
    email: string;
    password: string;
    capacity?: number;
    teams?: string[];
    role?: 'admin' | 'supervisor' | 'agent';
  },
): Promise<{ id: string }> {
  const { password, ...agent } = options;
  // Registered before the caller names the agent in a command about a conversation, which another
  // partition applies (ADR 7).
  const invited = await answer(
    clientOf(system, TEST_ADMIN_TOKEN).POST('/v1/agents', {
      body: agent,
      headers: { prefer: 'wait=10' },
    }),
  );
  if (invited.status !== 201) throw refused('agent not invited', invited);
  const set = await answer(
    clientOf(system).POST('/v1/invites/accept', { body: { token: invited.body.inviteToken, password } }),
  );
  if (set.status !== 200) throw refused('password not set', set);
  return { id: invited.body.id };
}

export async function newCustomer(system: ParleySystem, externalId = `crm-${++serial}`): Promise<Actor> {
  const res = await answer(
    clientOf(system, TEST_ADMIN_TOKEN).POST('/v1/customers', { body: { externalId } }),
  );
  if (res.status !== 202) throw refused('customer not created', res);
  return res.body;
}

export async function setPresence(system: ParleySystem, agent: Actor, status: 'online' | 'away' | 'offline') {
  // Applied before the caller goes on: presence is ordered with the agent's other commands, not
  // with other conversations', so a conversation opened next could otherwise overtake it.
  const res = await answer(
    clientOf(system, agent).PUT('/v1/agents/me/presence', {
      body: { status },
      headers: { prefer: 'wait=10' },
    }),
  );
  if (res.status !== 200) throw refused('presence not set', res);
}

/** Opens a conversation and waits until the conversation service has it. */
export async function openConversation(
  system: ParleySystem,
  customer: Actor,
  body: RequestBody<'OpenConversationRequest'> = { body: 'Hello' },
): Promise<{ id: string; messageId: string }> {
  const api = clientOf(system, customer);
  const res = await answer(api.POST('/v1/conversations', { body }));
  if (res.status !== 202) throw refused('conversation not opened', res);
  await waitFor('the conversation to exist', async () => {
    const got = await api.GET('/v1/conversations/{id}', { params: { path: { id: res.body.id } } });
    return got.response.status === 200;
  });
  return res.body;
}

export async function conversationAs(system: ParleySystem, actor: Actor, id: string): Promise<Conversation> {
  const res = await answer(
    clientOf(system, actor).GET('/v1/conversations/{id}', { params: { path: { id } } }),
  );
  if (res.status !== 200) throw refused(`conversation ${id}`, res);
  return res.body;
}

/** Waits until the conversation, as the actor sees it, satisfies the check. */
export function eventuallyConversation(
  system: ParleySystem,
  actor: Actor,
  id: string,
  what: string,
  check: (conversation: Conversation) => boolean,
): Promise<Conversation> {
  return waitFor(what, async () => {
    const conversation = await conversationAs(system, actor, id);
    return check(conversation) ? conversation : undefined;
  });
}

/** The actor's whole inbox, read page by page from the beginning. */
export async function wholeInbox(system: ParleySystem, actor: Actor): Promise<InboxEvent[]> {
  const api = clientOf(system, actor);
  const events: InboxEvent[] = [];
  let cursor: string | undefined;
  for (;;) {
    const res = await answer(api.GET('/v1/inbox', { params: { query: { limit: 200, cursor } } }));
    if (res.status !== 200) throw refused('inbox', res);
    events.push(...res.body.events);
    if (!res.body.events.length) return events;
    cursor = res.body.nextCursor ?? undefined;
  }
}
