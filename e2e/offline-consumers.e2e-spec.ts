import { ParleySystem, TEST_ADMIN_TOKEN, waitFor } from '@parley/testing';

/**
 * The product's promise in one story: a customer writes while the services that store and deliver
 * are down; when they come back, nothing is missing, nothing is doubled, and order holds.
 */
describe('a customer writing while history and delivery are offline', () => {
  let system: ParleySystem;

  beforeAll(async () => {
    system = await ParleySystem.start();
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
  });

  it('loses nothing: 100 messages stored with seq 1..100 and each in the inbox once', async () => {
    const customer = await system.api('POST', '/v1/customers', {
      token: TEST_ADMIN_TOKEN,
      body: { externalId: 'crm-offline', name: 'Offline Olivia' },
    });
    expect(customer.status).toBe(202);
    const token = customer.body.token as string;

    expect(await system.services.history.stop('SIGTERM')).toBe(0);
    expect(await system.services.delivery.stop('SIGTERM')).toBe(0);

    const opened = await system.api('POST', '/v1/conversations', {
      token,
      body: { subject: 'Order #1234', body: 'message 1' },
    });
    expect(opened.status).toBe(202);
    const conversationId = opened.body.id as string;
    const sentIds = [opened.body.messageId as string];
    for (let n = 2; n <= 100; n++) {
      const sent = await system.api('POST', `/v1/conversations/${conversationId}/messages`, {
        token,
        body: { body: `message ${n}` },
      });
      expect(sent.status).toBe(202);
      sentIds.push(sent.body.id);
    }

    await system.services.history.start();
    await system.services.delivery.start();

    const history = await waitFor('all 100 messages in history', async () => {
      const page = await system.api('GET', `/v1/conversations/${conversationId}/messages?limit=200`, {
        token,
      });
      return page.status === 200 && page.body.items.length === 100 ? page.body : undefined;
    });
    expect(history.items.map((m: { seq: number }) => m.seq)).toEqual(
      Array.from({ length: 100 }, (_, i) => i + 1),
    );
    expect(history.items.map((m: { body: string }) => m.body)).toEqual(
      sentIds.map((_, i) => `message ${i + 1}`),
    );
    expect(history.items.map((m: { id: string }) => m.id)).toEqual(sentIds);
    expect(history.nextCursor).toBeNull();

    const inbox = await waitFor('all 100 messages in the inbox', async () => {
      const page = await system.api('GET', '/v1/inbox?limit=200', { token });
      const created = page.body.events?.filter((e: { type: string }) => e.type === 'message.created') ?? [];
      return created.length >= 100 ? page.body : undefined;
    });
    const messageEvents = inbox.events.filter((e: { type: string }) => e.type === 'message.created');
    expect(messageEvents.map((e: { data: { messageId: string } }) => e.data.messageId).sort()).toEqual(
      [...sentIds].sort(),
    );
    expect(new Set(inbox.events.map((e: { cursor: string }) => e.cursor)).size).toBe(inbox.events.length);
    expect(inbox.events.filter((e: { type: string }) => e.type === 'conversation.created')).toHaveLength(1);

    // Nothing more arrives later: the inbox was complete, not merely large enough.
    const after = await system.api('GET', `/v1/inbox?cursor=${inbox.nextCursor}`, { token });
    expect(after.body.events).toEqual([]);
  }, 120_000);

  it('creates nothing new for a repeated Idempotency-Key and returns the same ids', async () => {
    const customer = await system.api('POST', '/v1/customers', {
      token: TEST_ADMIN_TOKEN,
      body: { externalId: 'crm-retry' },
    });
    const token = customer.body.token as string;
    const headers = { 'idempotency-key': 'open-7f3a' };

    const first = await system.api('POST', '/v1/conversations', {
      token,
      headers,
      body: { body: 'only once' },
    });
    const again = await system.api('POST', '/v1/conversations', {
      token,
      headers,
      body: { body: 'only once' },
    });
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);

    const conversationId = first.body.id as string;
    const postHeaders = { 'idempotency-key': 'reply-1' };
    const reply = await system.api('POST', `/v1/conversations/${conversationId}/messages`, {
      token,
      headers: postHeaders,
      body: { body: 'a reply' },
    });
    const replyAgain = await system.api('POST', `/v1/conversations/${conversationId}/messages`, {
      token,
      headers: postHeaders,
      body: { body: 'a reply' },
    });
    expect(replyAgain.body.id).toBe(reply.body.id);
    const marker = await system.api('POST', `/v1/conversations/${conversationId}/messages`, {
      token,
      body: { body: 'marker' },
    });

    const history = await waitFor('the marker message in history', async () => {
      const page = await system.api('GET', `/v1/conversations/${conversationId}/messages`, { token });
      return page.body.items?.some((m: { id: string }) => m.id === marker.body.id) ? page.body : undefined;
    });
    expect(history.items.map((m: { body: string; seq: number }) => [m.seq, m.body])).toEqual([
      [1, 'only once'],
      [2, 'a reply'],
      [3, 'marker'],
    ]);

    // Another principal using the same key gets ids of its own.
    const other = await system.api('POST', '/v1/customers', {
      token: TEST_ADMIN_TOKEN,
      body: { externalId: 'crm-other' },
    });
    const theirs = await system.api('POST', '/v1/conversations', {
      token: other.body.token,
      headers,
      body: { body: 'only once' },
    });
    expect(theirs.body.id).not.toBe(first.body.id);
  }, 60_000);

  it('maps the same externalId to the same customer id, also under concurrency', async () => {
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        system.api('POST', '/v1/customers', { token: TEST_ADMIN_TOKEN, body: { externalId: 'crm-same' } }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(202));
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    const other = await system.api('POST', '/v1/customers', {
      token: TEST_ADMIN_TOKEN,
      body: { externalId: 'crm-else' },
    });
    expect(other.body.id).not.toBe(answers[0].body.id);
  });
});
