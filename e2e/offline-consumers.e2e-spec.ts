import { ParleySystem, TEST_ADMIN_TOKEN, waitFor } from '@parley/testing';
import { answer, clientOf } from './support/actors';

/**
 * The product's promise in one story: a customer writes while the services that store and deliver
 * are down; when they come back, nothing is missing, nothing is doubled, and order holds.
 */
describe('a customer writing while history and delivery are offline', () => {
  let system: ParleySystem;

  const createCustomer = (body: { externalId: string; name?: string }) =>
    answer(clientOf(system, TEST_ADMIN_TOKEN).POST('/v1/customers', { body }));
  const open = (token: string, body: { subject?: string; body: string }, key?: string) =>
    answer(
      clientOf(system, token).POST('/v1/conversations', {
        params: { header: key ? { 'idempotency-key': key } : undefined },
        body,
      }),
    );
  const post = (token: string, conversationId: string, body: string, key?: string) =>
    answer(
      clientOf(system, token).POST('/v1/conversations/{id}/messages', {
        params: { path: { id: conversationId }, header: key ? { 'idempotency-key': key } : undefined },
        body: { body },
      }),
    );
  const messages = (token: string, conversationId: string, limit?: number) =>
    answer(
      clientOf(system, token).GET('/v1/conversations/{id}/messages', {
        params: { path: { id: conversationId }, query: { limit } },
      }),
    );
  const inbox = (token: string, query: { limit?: number; cursor?: string }) =>
    answer(clientOf(system, token).GET('/v1/inbox', { params: { query } }));

  beforeAll(async () => {
    system = await ParleySystem.start();
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
  });

  it('loses nothing: 100 messages stored with seq 1..100 and each in the inbox once', async () => {
    const customer = await createCustomer({ externalId: 'crm-offline', name: 'Offline Olivia' });
    expect(customer.status).toBe(202);
    const token = customer.body.token;

    expect(await system.services.history.stop('SIGTERM')).toBe(0);
    expect(await system.services.delivery.stop('SIGTERM')).toBe(0);

    const opened = await open(token, { subject: 'Order #1234', body: 'message 1' });
    expect(opened.status).toBe(202);
    const conversationId = opened.body.id;
    const sentIds = [opened.body.messageId];
    for (let n = 2; n <= 100; n++) {
      const sent = await post(token, conversationId, `message ${n}`);
      expect(sent.status).toBe(202);
      sentIds.push(sent.body.id);
    }

    await system.services.history.start();
    await system.services.delivery.start();

    const history = await waitFor('all 100 messages in history', async () => {
      const page = await messages(token, conversationId, 200);
      return page.status === 200 && page.body.items.length === 100 ? page.body : undefined;
    });
    expect(history.items.map((m) => m.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(history.items.map((m) => m.body)).toEqual(sentIds.map((_, i) => `message ${i + 1}`));
    expect(history.items.map((m) => m.id)).toEqual(sentIds);
    expect(history.nextCursor).toBeNull();

    const events = await waitFor('all 100 messages in the inbox', async () => {
      const page = await inbox(token, { limit: 200 });
      const created = page.body.events?.filter((e) => e.type === 'message.created') ?? [];
      return created.length >= 100 ? page.body : undefined;
    });
    const messageEvents = events.events.filter((e) => e.type === 'message.created');
    expect(messageEvents.map((e) => e.data.messageId as string).sort()).toEqual([...sentIds].sort());
    expect(new Set(events.events.map((e) => e.cursor)).size).toBe(events.events.length);
    expect(events.events.filter((e) => e.type === 'conversation.created')).toHaveLength(1);

    // Nothing more arrives later: the inbox was complete, not merely large enough.
    const after = await inbox(token, { cursor: events.nextCursor ?? undefined });
    expect(after.body.events).toEqual([]);
  }, 120_000);

  it('creates nothing new for a repeated Idempotency-Key and returns the same ids', async () => {
    const token = (await createCustomer({ externalId: 'crm-retry' })).body.token;
    const key = 'open-7f3a';

    const first = await open(token, { body: 'only once' }, key);
    const again = await open(token, { body: 'only once' }, key);
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);

    const conversationId = first.body.id;
    const reply = await post(token, conversationId, 'a reply', 'reply-1');
    const replyAgain = await post(token, conversationId, 'a reply', 'reply-1');
    expect(replyAgain.body.id).toBe(reply.body.id);
    const marker = await post(token, conversationId, 'marker');

    const history = await waitFor('the marker message in history', async () => {
      const page = await messages(token, conversationId);
      return page.body.items?.some((m) => m.id === marker.body.id) ? page.body : undefined;
    });
    expect(history.items.map((m) => [m.seq, m.body])).toEqual([
      [1, 'only once'],
      [2, 'a reply'],
      [3, 'marker'],
    ]);

    // Another principal using the same key gets ids of its own.
    const other = await createCustomer({ externalId: 'crm-other' });
    const theirs = await open(other.body.token, { body: 'only once' }, key);
    expect(theirs.body.id).not.toBe(first.body.id);
  }, 60_000);

  it('maps the same externalId to the same customer id, also under concurrency', async () => {
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => createCustomer({ externalId: 'crm-same' })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(202));
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    const other = await createCustomer({ externalId: 'crm-else' });
    expect(other.body.id).not.toBe(answers[0].body.id);
  });
});
