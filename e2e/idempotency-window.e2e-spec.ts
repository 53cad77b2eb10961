import { jetstreamManager, JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { StreamNames } from '@parley/contracts';
import { ApiResponse, ParleySystem, TEST_ADMIN_TOKEN, waitFor } from '@parley/testing';
import { Actor } from './support/actors';

/** JetStream drops a repeated Nats-Msg-Id only within this window; the retries below come after it. */
const DUPLICATE_WINDOW_SECONDS = 1;
const PAST_THE_WINDOW_MS = DUPLICATE_WINDOW_SECONDS * 1000 + 1500;
const APPLIED = { prefer: 'wait=10' };

interface DeadLetter {
  id: string;
  originalSubject: string;
  reason: string;
}

type Send = (headers?: Record<string, string>) => Promise<ApiResponse>;

/**
 * The README promises that an Idempotency-Key holds forever. Ids are derived from (principal,
 * route, key), so a retry after JetStream's duplicate window is a new command for entities that
 * already exist: every service must take it as already applied, not fail on a primary key until
 * it is dead-lettered, and must store and emit nothing new.
 */
describe("an Idempotency-Key retried after JetStream's duplicate window", () => {
  let system: ParleySystem;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let customer: Actor;
  let agent: Actor;
  let colleague: Actor;
  let conversationId: string;

  const registerAgent = (name: string, headers?: Record<string, string>) =>
    system.api('POST', '/v1/agents', {
      token: TEST_ADMIN_TOKEN,
      body: { name, email: `${name.toLowerCase()}@example.com` },
      headers,
    });
  const registerCustomer = (externalId: string, headers?: Record<string, string>) =>
    system.api('POST', '/v1/customers', {
      token: TEST_ADMIN_TOKEN,
      body: { externalId, name: 'Retrying Rita' },
      headers,
    });
  const messages = async (): Promise<Array<{ id: string; seq: number }>> => {
    const page = await system.api('GET', `/v1/conversations/${conversationId}/messages?limit=200`, {
      token: agent.token,
    });
    expect(page.status).toBe(200);
    return page.body.items;
  };

  /** Every durable consumer has handled all its stream holds: nothing pending, nothing unacked. */
  const settled = () =>
    waitFor(
      'every consumer to have handled everything (a failing command stays unacked)',
      async () => {
        for (const stream of await jsm.streams.list().next()) {
          for (const consumer of await jsm.consumers.list(stream.config.name).next()) {
            if (consumer.config.durable_name && (consumer.num_pending || consumer.num_ack_pending))
              return false;
          }
        }
        return true;
      },
      20_000,
    );
  const lastSeq = async (stream: string) => (await jsm.streams.info(stream)).state.last_seq;
  const deadLetters = async (): Promise<DeadLetter[]> => {
    const letters = await system.api('GET', '/v1/admin/dead-letters?limit=200', { token: TEST_ADMIN_TOKEN });
    expect(letters.status).toBe(200);
    return letters.body.items;
  };
  /** The dead letters added since `before`, as `subject: reason`. */
  const deadLetteredSince = async (before: DeadLetter[]): Promise<string[]> => {
    const known = new Set(before.map((l) => l.id));
    const added = (await deadLetters()).filter((l) => !known.has(l.id));
    return added.map((l) => `${l.originalSubject}: ${l.reason}`);
  };
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  /**
   * Sends a write and waits until it is applied; once the duplicate window has passed, sends it
   * again, unchanged, and waits until every service has handled that. Checks what holds for every
   * kind of write: the retry reached the services as a new command, which they took as already
   * applied (no event, no dead letter). Returns both answers.
   */
  async function retriedAfterWindow(send: Send): Promise<[ApiResponse, ApiResponse]> {
    const first = await send(APPLIED);
    expect(first.status).toBe(201);
    await sleep(PAST_THE_WINDOW_MS);
    await settled();
    const commandsBefore = await lastSeq(StreamNames.commands);
    const eventsBefore = await lastSeq(StreamNames.events);
    const lettersBefore = await deadLetters();

    // Waiting for it answers as the first attempt did, though nothing new is applied.
    const retry = await send(APPLIED);
    expect(retry.status).toBe(201);
    await settled();

    expect(await lastSeq(StreamNames.commands)).toBeGreaterThan(commandsBefore);
    expect(await lastSeq(StreamNames.events)).toBe(eventsBefore);
    expect(await deadLetteredSince(lettersBefore)).toEqual([]);
    return [first, retry];
  }

  /** The conversation's entries have distinct ids and seq 1..n, and `id` is among them once. */
  async function storedOnce(id: string): Promise<void> {
    const items = await messages();
    expect(new Set(items.map((m) => m.id)).size).toBe(items.length);
    expect(items.map((m) => m.seq)).toEqual(items.map((_, i) => i + 1));
    expect(items.filter((m) => m.id === id)).toHaveLength(1);
  }

  beforeAll(async () => {
    system = await ParleySystem.start({
      PARLEY_DUPLICATE_WINDOW_SECONDS: String(DUPLICATE_WINDOW_SECONDS),
      // A retry that keeps failing is dead-lettered within seconds (the default backs off for
      // minutes), so that each test sees its own failure and the next one starts settled.
      PARLEY_MAX_DELIVER: '3',
      // The webhook registered below points at this machine; nothing it subscribes to happens here.
      PARLEY_WEBHOOK_ALLOWED_NETWORKS: '127.0.0.0/8',
    });
    nc = await connect({ servers: system.nats.url });
    jsm = await jetstreamManager(nc);
    agent = (await registerAgent('Ada', APPLIED)).body;
    colleague = (await registerAgent('Bo', APPLIED)).body;
    customer = (await registerCustomer('crm-window', APPLIED)).body;
    const opened = await system.api('POST', '/v1/conversations', {
      token: customer.token,
      body: { body: 'Where is my parcel?' },
      headers: APPLIED,
    });
    expect(opened.status).toBe(201);
    conversationId = opened.body.id;
  }, 120_000);

  afterAll(async () => {
    await nc?.close();
    await system?.stop();
  });

  it('opens the conversation once', async () => {
    const [first, retry] = await retriedAfterWindow((headers) =>
      system.api('POST', '/v1/conversations', {
        token: customer.token,
        body: { subject: 'Refund', body: 'I was charged twice' },
        headers: { ...headers, 'idempotency-key': 'open-1' },
      }),
    );
    expect(retry.body).toMatchObject({ id: first.body.id });
    const page = await system.api('GET', `/v1/conversations/${first.body.id}/messages`, {
      token: customer.token,
    });
    expect(page.body.items.map((m: { id: string; seq: number }) => [m.id, m.seq])).toEqual([
      [first.body.messageId, 1],
    ]);
  }, 60_000);

  it('posts the message once', async () => {
    const [first, retry] = await retriedAfterWindow((headers) =>
      system.api('POST', `/v1/conversations/${conversationId}/messages`, {
        token: customer.token,
        body: { body: 'Any news?' },
        headers: { ...headers, 'idempotency-key': 'message-1' },
      }),
    );
    expect(retry.body).toEqual(first.body);
    await storedOnce(first.body.id);
  }, 60_000);

  it('posts the message once when both attempts waited in the stream for the conversation service', async () => {
    const lettersBefore = await deadLetters();
    const send = () =>
      system.api('POST', `/v1/conversations/${conversationId}/messages`, {
        token: customer.token,
        body: { body: 'Hello? Anyone?' },
        headers: { 'idempotency-key': 'message-offline' },
      });
    // Both commands wait in the stream and reach the conversation service together on its return.
    expect(await system.services.conversation.stop('SIGTERM')).toBe(0);
    let first: ApiResponse;
    let retry: ApiResponse;
    try {
      first = await send();
      await sleep(PAST_THE_WINDOW_MS);
      retry = await send();
    } finally {
      await system.services.conversation.start();
    }
    expect([first.status, retry.status]).toEqual([202, 202]);
    expect(retry.body).toEqual(first.body);
    await settled();
    await storedOnce(first.body.id);
    expect(await deadLetteredSince(lettersBefore)).toEqual([]);
  }, 60_000);

  it('adds the note once', async () => {
    const [first, retry] = await retriedAfterWindow((headers) =>
      system.api('POST', `/v1/conversations/${conversationId}/notes`, {
        token: agent.token,
        body: { body: 'Carrier says Tuesday' },
        headers: { ...headers, 'idempotency-key': 'note-1' },
      }),
    );
    expect(retry.body).toEqual(first.body);
    await storedOnce(first.body.id);
  }, 60_000);

  it('transfers once', async () => {
    const [first, retry] = await retriedAfterWindow((headers) =>
      system.api('POST', `/v1/conversations/${conversationId}/transfer`, {
        token: agent.token,
        body: { agentId: colleague.id, reason: 'billing', note: 'wants a refund' },
        headers: { ...headers, 'idempotency-key': 'transfer-1' },
      }),
    );
    expect(retry.body).toEqual(first.body);
    await storedOnce(first.body.id);
    const conversation = await system.api('GET', `/v1/conversations/${conversationId}`, {
      token: agent.token,
    });
    expect(conversation.body.assigneeId).toBe(colleague.id);
  }, 60_000);

  it('does not apply a status change again once a later change was made', async () => {
    const status = (body: { status: string }, headers?: Record<string, string>) =>
      system.api('POST', `/v1/conversations/${conversationId}/status`, { token: agent.token, body, headers });
    const resolve = (headers?: Record<string, string>) =>
      status({ status: 'resolved' }, { ...headers, 'idempotency-key': 'status-1' });
    expect((await resolve(APPLIED)).status).toBe(200);
    expect((await status({ status: 'open' }, APPLIED)).status).toBe(200);
    await sleep(PAST_THE_WINDOW_MS);
    await settled();
    const eventsBefore = await lastSeq(StreamNames.events);
    const lettersBefore = await deadLetters();

    expect((await resolve()).status).toBe(202);
    await settled();

    const conversation = await system.api('GET', `/v1/conversations/${conversationId}`, {
      token: agent.token,
    });
    expect(conversation.body.status).toBe('open');
    expect(await lastSeq(StreamNames.events)).toBe(eventsBefore);
    expect(await deadLetteredSince(lettersBefore)).toEqual([]);
  }, 60_000);

  it('registers the agent once', async () => {
    const [first, retry] = await retriedAfterWindow((headers) =>
      registerAgent('Cy', { ...headers, 'idempotency-key': 'agent-1' }),
    );
    expect(retry.body.id).toBe(first.body.id);
    const agents = await system.api('GET', '/v1/agents?limit=200', { token: TEST_ADMIN_TOKEN });
    expect(agents.body.items.filter((a: { id: string }) => a.id === first.body.id)).toHaveLength(1);
  }, 60_000);

  it('registers the customer once (its id follows from externalId, no key needed)', async () => {
    const [first, retry] = await retriedAfterWindow((headers) => registerCustomer('crm-again', headers));
    expect(retry.body.id).toBe(first.body.id);
  }, 60_000);

  it('registers the webhook once, with the same secret', async () => {
    const [first, retry] = await retriedAfterWindow((headers) =>
      system.api('POST', '/v1/webhooks', {
        token: TEST_ADMIN_TOKEN,
        body: { url: 'http://127.0.0.1:9/hooks', events: ['receipt.read'] },
        headers: { ...headers, 'idempotency-key': 'webhook-1' },
      }),
    );
    expect(retry.body).toEqual(first.body);
    const hooks = await system.api('GET', '/v1/webhooks', { token: TEST_ADMIN_TOKEN });
    expect(hooks.body.items.map((h: { id: string }) => h.id)).toEqual([first.body.id]);
  }, 60_000);

  it('dead-letters nothing, first attempts included', async () => {
    expect(await deadLetters()).toEqual([]);
  });
});
