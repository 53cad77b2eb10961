import { ParleySystem, waitFor } from '@parley/testing';
import {
  Actor,
  clientOf,
  conversationAs,
  eventuallyConversation,
  newAgent,
  newCustomer,
  openConversation,
  setPresence,
} from './support/actors';

/**
 * Auto-assignment as the contract states it: the customer's previous agent first when online with
 * free capacity, then the least-loaded online agent with free capacity, else the queue, which
 * drains highest priority first the moment an agent comes online or frees capacity.
 */
describe('assignment', () => {
  let system: ParleySystem;
  let ada: Actor; // capacity 2
  let bob: Actor; // capacity 5
  const customers: Actor[] = [];
  const conversations: Record<string, string> = {};

  const assigneeOf = async (id: string) => (await conversationAs(system, ada, id)).assigneeId;

  beforeAll(async () => {
    system = await ParleySystem.start();
    ada = await newAgent(system, { capacity: 2, name: 'Ada' });
    bob = await newAgent(system, { capacity: 5, name: 'Bob' });
    for (let i = 0; i < 4; i++) customers.push(await newCustomer(system));
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
  });

  it('keeps everything in the queue while all agents are offline, highest priority first', async () => {
    const priorities = ['low', 'urgent', 'normal', 'high'] as const;
    for (const [i, priority] of priorities.entries()) {
      conversations[priority] = (
        await openConversation(system, customers[i], { body: `I am ${priority}`, priority })
      ).id;
    }
    const queue = await waitFor('four conversations in the queue', async () => {
      const { data } = await clientOf(system, ada).GET('/v1/queue');
      return data?.items.length === 4 ? data.items : undefined;
    });
    expect(queue.map((c) => c.priority)).toEqual(['urgent', 'high', 'normal', 'low']);
    expect(queue.every((c) => c.assigneeId === null)).toBe(true);
  });

  it('drains the queue the moment an agent comes online, highest priority first, within capacity', async () => {
    await setPresence(system, ada, 'online');
    await waitFor(
      'Ada to take two conversations',
      async () => (await assigneeOf(conversations.high)) === ada.id,
    );
    expect(await assigneeOf(conversations.urgent)).toBe(ada.id);
    expect(await assigneeOf(conversations.normal)).toBeNull();
    expect(await assigneeOf(conversations.low)).toBeNull();

    await setPresence(system, bob, 'online');
    await waitFor('Bob to take the rest', async () => (await assigneeOf(conversations.low)) === bob.id);
    expect(await assigneeOf(conversations.normal)).toBe(bob.id);
    const queue = await clientOf(system, ada).GET('/v1/queue');
    expect(queue.data?.items).toEqual([]);

    const agents = await clientOf(system, ada).GET('/v1/agents');
    const load = Object.fromEntries((agents.data?.items ?? []).map((a) => [a.id, a.load]));
    expect(load).toEqual({ [ada.id]: 2, [bob.id]: 2 });
  });

  it('never gives an agent more than their capacity, and a freed place takes the next in the queue', async () => {
    const newcomer = await newCustomer(system);
    const first = await openConversation(system, newcomer, { body: 'Ada is full' });
    await eventuallyConversation(system, ada, first.id, 'Bob to take it', (c) => c.assigneeId === bob.id);

    await setPresence(system, bob, 'away');
    const waiting = await openConversation(system, await newCustomer(system), { body: 'nobody free' });
    await new Promise((r) => setTimeout(r, 500));
    expect(await assigneeOf(waiting.id)).toBeNull();

    const resolved = await clientOf(system, ada).POST('/v1/conversations/{id}/status', {
      params: { path: { id: conversations.urgent } },
      body: { status: 'resolved' },
    });
    expect(resolved.response.status).toBe(202);
    await waitFor('Ada to take the waiting one', async () => (await assigneeOf(waiting.id)) === ada.id);
  });

  it("gives a customer's new conversation to the agent who last handled them", async () => {
    // customers[0] was handled by Bob (their low-priority conversation). Carl is online and idle.
    const carl = await newAgent(system, { capacity: 5, name: 'Carl' });
    await setPresence(system, carl, 'online');
    await setPresence(system, bob, 'online');
    const again = await openConversation(system, customers[0], { body: 'me again' });
    await eventuallyConversation(system, bob, again.id, 'Bob to get it back', (c) => c.assigneeId === bob.id);

    // Without an available previous agent, the least-loaded online agent gets it.
    await setPresence(system, bob, 'offline');
    const meanwhile = await openConversation(system, customers[0], { body: 'Bob is away' });
    await eventuallyConversation(
      system,
      carl,
      meanwhile.id,
      'Carl to take it',
      (c) => c.assigneeId === carl.id,
    );
  });

  it('lets manual assignment win over capacity and presence', async () => {
    const res = await clientOf(system, ada).POST('/v1/conversations/{id}/assignment', {
      params: { path: { id: conversations.normal } },
      body: { agentId: 'me' },
    });
    expect(res.response.status).toBe(202);
    await waitFor(
      'Ada to hold it although full',
      async () => (await assigneeOf(conversations.normal)) === ada.id,
    );
  });
});
