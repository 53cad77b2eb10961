import { JetStreamManager, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Client } from 'pg';
import { backlogOf, ParleySystem, waitFor } from '@parley/testing';
import {
  Actor,
  answer,
  clientOf,
  conversationAs,
  eventuallyConversation,
  newAgent,
  newCustomer,
  openConversation,
  setPresence,
  wholeInbox,
} from './support/actors';

async function allMessages(system: ParleySystem, actor: Actor, conversationId: string) {
  const items: Array<{ id: string; seq: number; type: string; body: string }> = [];
  let after = 0;
  for (;;) {
    const res = await answer(
      clientOf(system, actor).GET('/v1/conversations/{id}/messages', {
        params: { path: { id: conversationId }, query: { after, limit: 200 } },
      }),
    );
    if (res.status !== 200) throw new Error(`messages: ${res.status}`);
    items.push(...res.body.items);
    if (!res.body.nextCursor) return items;
    after = Number(res.body.nextCursor);
  }
}

async function handledBy(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('parley_consumer_handle_duration_seconds_count{consumer="conversation-p'))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

/**
 * Writes a conversation event into the conversation service's outbox, as a process does that
 * committed a change and has not published its event yet (it died, or it is slow); returns its id.
 */
async function leaveInOutbox(
  system: ParleySystem,
  conversationId: string,
  customer: Actor,
  agent: Actor,
): Promise<string> {
  const id = `conversation.status_changed:${conversationId}:left-over`;
  const db = new Client({ connectionString: system.database.url });
  await db.connect();
  try {
    await db.query('BEGIN');
    // As a writer's commit does: it also claims the conversation in outbox_writers, which is how the
    // next writer learns that older rows of another may still wait. Without the claim, whether they
    // are looked for would depend on which replica happened to write the conversation before.
    await db.query(
      `INSERT INTO conversation.outbox_writers AS w (conversation_id, writer) VALUES ($1, 'left-over-writer')
       ON CONFLICT (conversation_id) DO UPDATE SET writer = EXCLUDED.writer, previous_writer = w.writer`,
      [conversationId],
    );
    await db.query(
      `INSERT INTO conversation.outbox (subject, msg_id, payload) VALUES ('parley.evt.conversation.status_changed', $1, $2)`,
      [
        id,
        JSON.stringify({
          id,
          type: 'conversation.status_changed',
          conversationId,
          customerId: customer.id,
          assigneeId: null,
          occurredAt: new Date().toISOString(),
          data: {
            conversationId,
            status: 'pending',
            previousStatus: 'open',
            snoozeUntil: null,
            changedBy: agent.id,
          },
        }),
      ],
    );
    await db.query('COMMIT');
  } finally {
    await db.end();
  }
  return id;
}

/** The customer writes into the conversation again; returns the accepted message's id. */
async function customerWritesAgain(
  system: ParleySystem,
  customer: Actor,
  conversationId: string,
  body: string,
): Promise<string> {
  const res = await answer(
    clientOf(system, customer).POST('/v1/conversations/{id}/messages', {
      params: { path: { id: conversationId } },
      body: { body },
    }),
  );
  expect(res.status).toBe(202);
  return res.body.id;
}

/** Once the message is in the customer's inbox, the left-over event must be there, before it. */
async function expectInInboxBefore(
  system: ParleySystem,
  customer: Actor,
  conversationId: string,
  leftOver: string,
  messageId: string,
): Promise<void> {
  const isMessage = (e: { type: string; data: Record<string, unknown> }) =>
    e.type === 'message.created' && e.data.messageId === messageId;
  const events = await waitFor(
    'the message in the customer’s inbox',
    async () => {
      const all = (await wholeInbox(system, customer)).filter((e) => e.conversationId === conversationId);
      return all.some(isMessage) ? all : undefined;
    },
    45_000,
    250,
  );
  const leftOverAt = events.findIndex((e) => e.id === leftOver);
  expect(leftOverAt).toBeGreaterThanOrEqual(0);
  expect(leftOverAt).toBeLessThan(events.findIndex(isMessage));
}

/**
 * Runs `work` with the broker's stream manager and a database connection, once every consumer of
 * the command stream has handled what it holds.
 */
async function onSettledCommands<T>(
  system: ParleySystem,
  work: (jsm: JetStreamManager, db: Client) => Promise<T>,
): Promise<T> {
  const db = new Client({ connectionString: system.database.url });
  const nc = await connect({ servers: system.nats.url });
  await db.connect();
  try {
    const jsm = await jetstreamManager(nc);
    await waitFor('the command consumers to be done', async () => {
      const all = await jsm.consumers.list('PARLEY_COMMANDS').next();
      return all.every((c) => c.num_pending === 0 && c.num_ack_pending === 0);
    });
    return await work(jsm, db);
  } finally {
    await nc.close();
    await db.end();
  }
}

/** Commands for another service, to move the command stream's sequence on by `count`. */
async function publishFillers(jsm: JetStreamManager, count: number): Promise<void> {
  const js = jsm.jetstream();
  await Promise.all(
    Array.from({ length: count }, (_, i) => js.publish('parley.cmd.delivery.filler', `${i}`)),
  );
}

/** The conversation's messages, once every one of `ids` is among them. */
function allStored(system: ParleySystem, customer: Actor, conversationId: string, ids: string[]) {
  return waitFor('the messages stored', async () => {
    const all = await allMessages(system, customer, conversationId);
    return ids.every((id) => all.some((m) => m.id === id)) ? all : undefined;
  });
}

/** Stops the conversation service gracefully and starts it again. */
async function restartConversation(system: ParleySystem): Promise<void> {
  expect(await system.services.conversation.stop('SIGTERM')).toBe(0);
  await system.services.conversation.start();
}

describe('the conversation workflow', () => {
  let system: ParleySystem;
  let agent: Actor;
  let customer: Actor;

  beforeAll(async () => {
    system = await ParleySystem.start();
    agent = await newAgent(system, { capacity: 10 });
    customer = await newCustomer(system);
    await setPresence(system, agent, 'online');
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
  });

  it('hands out seq 1..1001 with no gap or repeat to 20 writers while a second conversation process joins', async () => {
    const replica = await system.startReplica('conversation');
    try {
      const opened = await openConversation(system, customer, { body: 'opening' });
      const writers = Array.from({ length: 20 }, (_, w) => (w % 2 ? agent : customer));
      const sent = await Promise.all(
        writers.map(async (writer, w) => {
          const ids: string[] = [];
          for (let n = 0; n < 50; n++) {
            const res = await answer(
              clientOf(system, writer).POST('/v1/conversations/{id}/messages', {
                params: { path: { id: opened.id } },
                body: { body: `writer ${w} message ${n}` },
              }),
            );
            expect(res.status).toBe(202);
            ids.push(res.body.id);
          }
          return ids;
        }),
      );
      const messages = await waitFor(
        'all 1001 messages stored',
        async () => {
          const all = await allMessages(system, agent, opened.id);
          return all.length >= 1001 ? all : undefined;
        },
        90_000,
        500,
      );
      expect(messages.map((m) => m.seq)).toEqual(Array.from({ length: 1001 }, (_, i) => i + 1));
      expect(messages.map((m) => m.id).sort()).toEqual([opened.messageId, ...sent.flat()].sort());
      // The conversation's partition is applied by one process at a time (ADR 7), and moves when the
      // second process takes its share: between them they handled every command once or more.
      const handled = (await handledBy(system.services.conversation.url)) + (await handledBy(replica.url));
      expect(handled).toBeGreaterThanOrEqual(1001);
    } finally {
      await replica.stop('SIGTERM');
    }
  }, 180_000);

  it('keeps notes and the transfer record private and gives the next agent the context', async () => {
    const next = await newAgent(system, { capacity: 10 });
    const opened = await openConversation(system, customer, { body: 'my invoice is wrong' });
    await eventuallyConversation(
      system,
      agent,
      opened.id,
      'assigned to the agent',
      (c) => c.assigneeId === agent.id,
    );
    expect(
      (
        await answer(
          clientOf(system, agent).POST('/v1/conversations/{id}/notes', {
            params: { path: { id: opened.id } },
            body: { body: 'VIP' },
          }),
        )
      ).status,
    ).toBe(202);
    const transfer = await answer(
      clientOf(system, agent).POST('/v1/conversations/{id}/transfer', {
        params: { path: { id: opened.id } },
        body: { agentId: next.id, reason: 'billing question', note: 'Invoice 42 was charged twice' },
      }),
    );
    expect(transfer.status).toBe(202);
    await eventuallyConversation(system, next, opened.id, 'the transfer', (c) => c.assigneeId === next.id);

    const seen = await waitFor('the transfer record in history', async () => {
      const items = await allMessages(system, next, opened.id);
      return items.length === 3 ? items : undefined;
    });
    expect(seen.map((m) => [m.seq, m.type])).toEqual([
      [1, 'message'],
      [2, 'note'],
      [3, 'note'],
    ]);
    expect(seen[2]).toMatchObject({ id: transfer.body.id });
    expect(seen[2].body).toContain('billing question');
    expect(seen[2].body).toContain('Invoice 42 was charged twice');
    expect((await allMessages(system, customer, opened.id)).map((m) => m.body)).toEqual([
      'my invoice is wrong',
    ]);

    const inbox = await waitFor('the transfer in the new agent’s inbox', async () => {
      const events = await wholeInbox(system, next);
      return events.find((e) => e.type === 'conversation.transferred' && e.conversationId === opened.id);
    });
    expect(inbox.data).toMatchObject({
      reason: 'billing question',
      note: 'Invoice 42 was charged twice',
      toAgentId: next.id,
    });
  });

  it('counts unread per participant and moves the horizon on read', async () => {
    const opened = await openConversation(system, customer, { body: 'one' });
    await clientOf(system, customer).POST('/v1/conversations/{id}/messages', {
      params: { path: { id: opened.id } },
      body: { body: 'two' },
    });
    const agentView = await eventuallyConversation(
      system,
      agent,
      opened.id,
      'two unread',
      (c) => c.unread === 2,
    );
    expect(agentView.lastSeq).toBe(2);
    await clientOf(system, agent).POST('/v1/conversations/{id}/notes', {
      params: { path: { id: opened.id } },
      body: { body: 'private' },
    });
    await clientOf(system, agent).POST('/v1/conversations/{id}/messages', {
      params: { path: { id: opened.id } },
      body: { body: 'reply' },
    });
    // The customer does not count the note, nor their own messages.
    await eventuallyConversation(
      system,
      customer,
      opened.id,
      'one unread for the customer',
      (c) => c.unread === 1 && c.lastSeq === 4,
    );
    expect(
      (
        await answer(
          clientOf(system, agent).POST('/v1/conversations/{id}/read', {
            params: { path: { id: opened.id } },
            body: { seq: 2 },
          }),
        )
      ).status,
    ).toBe(202);
    await eventuallyConversation(system, agent, opened.id, 'read up to 2', (c) => c.unread === 0);
    const list = await answer(
      clientOf(system, agent).GET('/v1/conversations', { params: { query: { assignee: 'me', limit: 200 } } }),
    );
    expect(list.body.items.find((c: { id: string }) => c.id === opened.id)).toMatchObject({
      unread: 0,
      status: 'open',
    });
  });

  it('reopens a resolved conversation when the customer writes, and a pending one too', async () => {
    const opened = await openConversation(system, customer, { body: 'thanks' });
    await clientOf(system, agent).POST('/v1/conversations/{id}/status', {
      params: { path: { id: opened.id } },
      body: { status: 'resolved' },
    });
    await eventuallyConversation(system, agent, opened.id, 'resolved', (c) => c.status === 'resolved');
    await clientOf(system, customer).POST('/v1/conversations/{id}/messages', {
      params: { path: { id: opened.id } },
      body: { body: 'one more thing' },
    });
    await eventuallyConversation(
      system,
      agent,
      opened.id,
      'open again',
      (c) => c.status === 'open' && c.assigneeId === agent.id,
    );

    await clientOf(system, agent).POST('/v1/conversations/{id}/status', {
      params: { path: { id: opened.id } },
      body: { status: 'pending' },
    });
    await eventuallyConversation(system, agent, opened.id, 'pending', (c) => c.status === 'pending');
    await clientOf(system, agent).POST('/v1/conversations/{id}/priority', {
      params: { path: { id: opened.id } },
      body: { priority: 'high' },
    });
    await clientOf(system, customer).POST('/v1/conversations/{id}/messages', {
      params: { path: { id: opened.id } },
      body: { body: 'here you go' },
    });
    await eventuallyConversation(
      system,
      agent,
      opened.id,
      'open and high',
      (c) => c.status === 'open' && c.priority === 'high',
    );
  });

  it('wakes a snoozed conversation after its time even when the service was down at that moment', async () => {
    const opened = await openConversation(system, customer, { body: 'remind me' });
    const snoozeUntil = new Date(Date.now() + 3_000).toISOString();
    const res = await answer(
      clientOf(system, agent).POST('/v1/conversations/{id}/status', {
        params: { path: { id: opened.id } },
        body: { status: 'snoozed', snoozeUntil },
      }),
    );
    expect(res.status).toBe(202);
    await eventuallyConversation(system, agent, opened.id, 'snoozed', (c) => c.status === 'snoozed');
    expect(await system.services.conversation.stop('SIGTERM')).toBe(0);
    await new Promise((r) => setTimeout(r, 4_000));
    await system.services.conversation.start();
    const woken = await eventuallyConversation(system, agent, opened.id, 'awake', (c) => c.status === 'open');
    expect(woken.snoozeUntil).toBeNull();
    const inbox = await waitFor('the wake-up in the customer’s inbox', async () => {
      const events = await wholeInbox(system, customer);
      return events.find(
        (e) =>
          e.type === 'conversation.status_changed' &&
          e.conversationId === opened.id &&
          e.data.status === 'open',
      );
    });
    expect(inbox.data).toMatchObject({ previousStatus: 'snoozed', changedBy: 'snooze' });
    expect((await conversationAs(system, agent, opened.id)).assigneeId).toBe(agent.id);
  }, 60_000);

  it('answers writes with Prefer: wait once they are applied: 201 with the result; 202 when that takes too long', async () => {
    const writer = await newCustomer(system);
    const opened = await system.api('POST', '/v1/conversations', {
      token: writer.token,
      body: { body: 'first', subject: 'Waiting' },
      headers: { prefer: 'wait=10' },
    });
    expect(opened.status).toBe(201);
    expect(opened.headers.get('preference-applied')).toBe('wait=10');
    expect(opened.body).toMatchObject({
      customerId: writer.id,
      subject: 'Waiting',
      status: 'open',
      lastSeq: 1,
    });
    const id: string = opened.body.id;
    const post = (body: string, prefer?: string) =>
      system.api('POST', `/v1/conversations/${id}/messages`, {
        token: writer.token,
        body: { body },
        headers: prefer ? { prefer } : {},
      });

    const applied = await post('second', 'respond-async, wait=10');
    expect(applied.status).toBe(201);
    expect(applied.headers.get('preference-applied')).toBe('wait=10');
    expect(applied.body).toMatchObject({
      conversationId: id,
      seq: 2,
      authorId: writer.id,
      authorRole: 'customer',
      type: 'message',
      body: 'second',
    });
    const read = await system.api('GET', `/v1/conversations/${id}/messages`, { token: writer.token });
    expect(read.body.items.find((m: { id: string }) => m.id === applied.body.id)).toEqual(applied.body);
    expect(read.body.items[0]).toMatchObject({ id: opened.body.messageId, seq: 1, body: 'first' });
    const note = await system.api('POST', `/v1/conversations/${id}/notes`, {
      token: agent.token,
      body: { body: 'asked twice already' },
      headers: { prefer: 'wait=10' },
    });
    expect(note.status).toBe(201);
    expect(note.body).toMatchObject({
      seq: 3,
      type: 'note',
      authorId: agent.id,
      body: 'asked twice already',
    });

    expect((await post('no preference')).status).toBe(202);
    expect((await post('unreadable preference', 'wait=soon')).status).toBe(202);

    // A retry (same Idempotency-Key) finds its command already in JetStream and its event long
    // gone: it answers with the result as it stands, the same as the first answer.
    const sentTwice = async (path: string, body: string, key: string) => {
      const send = () =>
        system.api('POST', path, {
          token: writer.token,
          body: { body },
          headers: { prefer: 'wait=10', 'idempotency-key': key },
        });
      const first = await send();
      return [first, await send()];
    };
    const [once, twice] = await sentTwice(`/v1/conversations/${id}/messages`, 'said once', 'flaky-1');
    expect([once.status, twice.status]).toEqual([201, 201]);
    expect(twice.headers.get('preference-applied')).toBe('wait=10');
    expect(twice.body).toEqual(once.body);
    const [openedOnce, openedTwice] = await sentTwice('/v1/conversations', 'opened once', 'flaky-2');
    expect([openedOnce.status, openedTwice.status]).toEqual([201, 201]);
    expect(openedTwice.body).toMatchObject({
      id: openedOnce.body.id,
      messageId: openedOnce.body.messageId,
      lastSeq: 1,
    });

    expect(await system.services.conversation.stop('SIGTERM')).toBe(0);
    try {
      const late = await post('while the conversation service is away', 'wait=1');
      expect(late.status).toBe(202);
      expect(late.headers.get('preference-applied')).toBeNull();
      expect(late.body).toEqual({ id: expect.any(String) });
    } finally {
      await system.services.conversation.start();
    }
    await allStored(system, writer, id, [applied.body.id]);
  });

  it('answers changes with Prefer: wait once applied: 200 with the conversation as it is now, even when nothing changed', async () => {
    const writer = await newCustomer(system);
    const { id } = await openConversation(system, writer, { body: 'can you help?' });
    await eventuallyConversation(system, agent, id, 'the conversation opened', (c) => c.id === id);
    const change = (path: string, body: object, actor: Actor = agent) =>
      system.api('POST', `/v1/conversations/${id}/${path}`, {
        token: actor.token,
        body,
        headers: { prefer: 'wait=10' },
      });

    const pending = await change('status', { status: 'pending' });
    expect(pending.status).toBe(200);
    expect(pending.headers.get('preference-applied')).toBe('wait=10');
    expect(pending.body).toMatchObject({ id, conversationId: id, customerId: writer.id, status: 'pending' });
    // A change that changes nothing emits no event; the service's word that it is applied answers it.
    const again = await change('status', { status: 'pending' });
    expect(again.status).toBe(200);
    expect(again.headers.get('preference-applied')).toBe('wait=10');
    expect(again.body).toMatchObject({ id, status: 'pending' });

    const urgent = await change('priority', { priority: 'urgent' });
    expect(urgent.status).toBe(200);
    expect(urgent.body).toMatchObject({ id, priority: 'urgent', status: 'pending' });
    const mine = await change('assignment', { agentId: 'me' });
    expect(mine.status).toBe(200);
    expect(mine.body.assigneeId).toBe(agent.id);
    expect(mine.body.unread).toBe(1);
    const read = await change('read', { seq: 1 });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id, unread: 0, lastSeq: 1 });
    expect(await conversationAs(system, agent, id)).toEqual(
      (({ conversationId: _, ...view }) => view)(read.body),
    );

    const transferred = await change('transfer', { team: 'billing', reason: 'a refund' });
    expect(transferred.status).toBe(201);
    expect(transferred.headers.get('preference-applied')).toBe('wait=10');
    expect(transferred.body).toMatchObject({
      conversationId: id,
      seq: 2,
      type: 'note',
      authorId: agent.id,
      body: expect.stringContaining('Reason: a refund'),
    });

    const unasked = await system.api('POST', `/v1/conversations/${id}/status`, {
      token: agent.token,
      body: { status: 'open' },
    });
    expect(unasked.status).toBe(202);
    expect(unasked.body).toEqual({ conversationId: id });
  });

  it('answers with the rejection when a waited-for message or change turns out not to be allowed', async () => {
    const owner = await newCustomer(system);
    const intruder = await newCustomer(system);
    const { id } = await openConversation(system, owner, { body: 'mine' });
    await eventuallyConversation(system, owner, id, 'the conversation opened', (c) => c.id === id);
    expect(await system.services.conversation.stop('SIGTERM')).toBe(0);
    const nc = await connect({ servers: system.nats.url });
    try {
      // With the conversation service away the gateway's check goes unanswered and the message is
      // taken; the service, back, rejects it, and the waiting request hears so.
      const answerLater = system.api('POST', `/v1/conversations/${id}/messages`, {
        token: intruder.token,
        body: { body: 'let me in' },
        headers: { prefer: 'wait=30' },
      });
      // A change to a conversation that never existed is taken the same way, and refused for good.
      const changeLater = system.api('POST', '/v1/conversations/no-such-conversation/status', {
        token: agent.token,
        body: { status: 'resolved' },
        headers: { prefer: 'wait=30' },
      });
      const jsm = await jetstreamManager(nc);
      await waitFor(
        'the message and the change in the command stream',
        async () => (await backlogOf(jsm, 'PARLEY_COMMANDS', 'conversation')).pending > 1,
      );
      await system.services.conversation.start();
      const rejected = await answerLater;
      expect(rejected.status).toBe(404);
      expect(rejected.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(rejected.headers.get('preference-applied')).toBe('wait=30');
      expect(rejected.body.detail).toMatch(/does not exist or you are not one of its participants/);
      const refused = await changeLater;
      expect(refused.status).toBe(404);
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(refused.headers.get('preference-applied')).toBe('wait=30');
      expect(refused.body.detail).toBe('conversation no-such-conversation does not exist');
    } finally {
      await nc.close();
      if (!system.services.conversation.running) await system.services.conversation.start();
    }
  });

  it('after a crash, publishes the events it committed but never sent before anything newer', async () => {
    const opened = await openConversation(system, customer, { body: 'is anyone there?' });
    const service = system.services.conversation;

    // The process dies right after committing a change whose event it never got to publish: the
    // row waits in the outbox. Meanwhile the customer writes again.
    await service.stop('SIGKILL');
    const leftOver = await leaveInOutbox(system, opened.id, customer, agent);
    const later = await customerWritesAgain(system, customer, opened.id, 'hello again');

    await service.start();
    await expectInInboxBefore(system, customer, opened.id, leftOver, later);
  }, 60_000);

  it('publishes a conversation’s events in order across replicas, even when the one that wrote the earlier ones stalls before publishing', async () => {
    // This replica's relay would find a stalled one's rows only a minute later: what must send
    // them in order is its own publish of the conversation's next event.
    const replica = await system.startReplica('conversation', { PARLEY_OUTBOX_RELAY_INTERVAL_MS: '60000' });
    const opened = await openConversation(system, customer, { body: 'anyone?' });
    const stalled = system.services.conversation;
    process.kill(stalled.pid as number, 'SIGSTOP');
    try {
      const leftOver = await leaveInOutbox(system, opened.id, customer, agent);
      const later = await customerWritesAgain(system, customer, opened.id, 'still there?');
      await expectInInboxBefore(system, customer, opened.id, leftOver, later);
    } finally {
      await stalled.stop('SIGKILL');
      await stalled.start();
      await replica.stop('SIGTERM');
    }
  }, 90_000);

  it('forgets the claims of commands once the command stream no longer holds them, and still handles each command once', async () => {
    const opened = await openConversation(system, customer, { body: 'claims' });
    await customerWritesAgain(system, customer, opened.id, 'one');
    await eventuallyConversation(system, agent, opened.id, 'two messages', (c) => c.lastSeq === 2);
    // As when retention lets commands go: every consumer of the command stream is done with them.
    await onSettledCommands(system, async (jsm, db) => {
      await jsm.streams.purge('PARLEY_COMMANDS', { keep: 1 });
      const { first_seq: first } = (await jsm.streams.info('PARLEY_COMMANDS')).state;
      const claims = async () =>
        (
          await db.query(
            `SELECT count(*) FILTER (WHERE stream_seq < $1)::int AS below,
                    count(*) FILTER (WHERE stream_seq >= $1)::int AS kept
               FROM conversation.processed_commands`,
            [first],
          )
        ).rows[0] as { below: number; kept: number };
      const before = await claims();
      expect(before.below).toBeGreaterThan(2);

      // It prunes at start (and every hour).
      await restartConversation(system);
      const after = await waitFor('the claims below the stream to go', async () => {
        const now = await claims();
        return now.below === 0 ? now : undefined;
      });
      expect(after.kept).toBe(before.kept);
    });

    const last = await customerWritesAgain(system, customer, opened.id, 'after pruning');
    const messages = await waitFor('the message stored once', async () => {
      const all = await allMessages(system, customer, opened.id);
      return all.some((m) => m.id === last) ? all : undefined;
    });
    expect(messages.map((m) => m.seq)).toEqual([1, 2, 3]);
  }, 60_000);

  it('handles new commands after the command stream is created anew, though its claims from the old one remain', async () => {
    const opened = await openConversation(system, customer, { body: 'before the stream is lost' });
    await eventuallyConversation(system, agent, opened.id, 'opened', (c) => c.lastSeq === 1);
    await onSettledCommands(system, async (jsm, db) => {
      const [{ lowest }] = (
        await db.query('SELECT min(stream_seq)::int AS lowest FROM conversation.processed_commands')
      ).rows;
      // The broker's data is lost; the service creates the stream again at start, from sequence 1.
      await jsm.streams.delete('PARLEY_COMMANDS');
      await restartConversation(system);
      // Commands for other services take the sequences up to the lowest old claim; the messages
      // below are given sequences the old stream's commands were claimed under.
      const { last_seq: last } = (await jsm.streams.info('PARLEY_COMMANDS')).state;
      expect(lowest).toBeGreaterThan(last + 1);
      await publishFillers(jsm, lowest - 1 - last);
    });
    const sent: string[] = [];
    for (const body of ['after', 'the stream', 'came back'])
      sent.push(await customerWritesAgain(system, customer, opened.id, body));
    const messages = await allStored(system, customer, opened.id, sent);
    expect(messages.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
  }, 60_000);

  it('handles commands that reached the command stream created anew while it was away, at sequences its old claims hold', async () => {
    const opened = await openConversation(system, customer, { body: 'before the stream is lost' });
    await eventuallyConversation(system, agent, opened.id, 'opened', (c) => c.lastSeq === 1);
    await onSettledCommands(system, async (jsm, db) => {
      const [{ highest }] = (
        await db.query('SELECT max(stream_seq)::int AS highest FROM conversation.processed_commands')
      ).rows;
      // The broker's data is lost while the service is away; the stream is created again and
      // takes commands before the service is back, under sequences it claimed for the old ones.
      expect(await system.services.conversation.stop('SIGTERM')).toBe(0);
      const { config } = await jsm.streams.info('PARLEY_COMMANDS');
      await jsm.streams.delete('PARLEY_COMMANDS');
      await jsm.streams.add(config);
      await publishFillers(jsm, highest - 2);
    });
    const sent: string[] = [];
    for (const body of ['written', 'while it', 'was away'])
      sent.push(await customerWritesAgain(system, customer, opened.id, body));
    await system.services.conversation.start();
    const messages = await allStored(system, customer, opened.id, sent);
    expect(messages.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
  }, 60_000);
});
