/**
 * The outbox against a real PostgreSQL, with a stand-in for JetStream that can lose a publish the
 * way a dying broker node does: a conversation's events must still reach the stream in seq order.
 */
import { ContentErased, JetStreamPublisher } from '@parley/jetstream';
import { createDatabase, TestDatabase } from '@parley/testing';
import { DataSource } from 'typeorm';
import { Outbox, outboxTableSql, outboxTraceColumnSql, outboxWritersSql } from '../src';

/** Stores each msg id once, like JetStream's duplicate window; can fail chosen publishes once. */
class StreamStandIn {
  readonly stored: string[] = [];
  private readonly failOnce = new Set<string>();
  /** Conversations whose content key was destroyed: their content is refused, as the publisher does. */
  readonly erased = new Set<string>();

  failNext(msgId: string): void {
    this.failOnce.add(msgId);
  }

  async publish(_subject: string, payload: { conversationId?: string }, msgId: string): Promise<void> {
    const conversationId = payload.conversationId ?? '';
    if (this.erased.has(conversationId))
      throw new ContentErased({ kind: 'conversation', id: conversationId });
    if (this.failOnce.delete(msgId)) {
      // The lost publish is only noticed when its answer times out, after later ones were answered.
      await new Promise((resolve) => setTimeout(resolve, 50));
      throw new Error(`publish of ${msgId} timed out`);
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
    if (!this.stored.includes(msgId)) this.stored.push(msgId);
  }
}

let database: TestDatabase;
let db: DataSource;

beforeAll(async () => {
  database = await createDatabase();
  db = await new DataSource({ type: 'postgres', url: database.url }).initialize();
  await db.query('CREATE SCHEMA relay');
  await db.query(outboxTableSql('relay'));
  await db.query(outboxTraceColumnSql('relay'));
  for (const sql of outboxWritersSql('relay', 'conversationId')) await db.query(sql);
});

const relayOutbox = (stream: StreamStandIn, schema = 'relay') =>
  new Outbox(db, stream as unknown as JetStreamPublisher, {
    schema,
    relayIntervalMs: 1_000,
    orderedBy: 'conversationId',
  });

const messageOf = (conversationId: string, n: number) => ({
  subject: 'parley.evt.message.created',
  msgId: `${conversationId}-${n}`,
  payload: { id: `${conversationId}-${n}`, type: 'message.created', conversationId },
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

describe('Outbox', () => {
  it("publishes each conversation's events in order even when a publish is lost and later ones are not", async () => {
    const stream = new StreamStandIn();
    const outbox = new Outbox(db, stream as unknown as JetStreamPublisher, {
      schema: 'relay',
      relayIntervalMs: 1_000,
      orderedBy: 'conversationId',
    });
    const event = (conversationId: string, n: number) => ({
      subject: 'parley.evt.message.created',
      msgId: `${conversationId}-${n}`,
      payload: { id: `${conversationId}-${n}`, type: 'message.created', conversationId },
    });
    await db.transaction((em) =>
      outbox.add(
        em,
        event('a', 1),
        event('b', 1),
        event('a', 2),
        event('b', 2),
        event('a', 3),
        event('a', 4),
      ),
    );
    stream.failNext('a-2');

    await outbox.flush();
    // a-3 and a-4 waited for a-2, which failed; b went on by itself.
    expect(stream.stored).toEqual(['a-1', 'b-1', 'b-2']);
    const [{ left }] = await db.query('SELECT count(*)::int AS left FROM relay.outbox');
    expect(left).toBe(6);

    await outbox.flush();
    expect(stream.stored.filter((id) => id.startsWith('a-'))).toEqual(['a-1', 'a-2', 'a-3', 'a-4']);
    expect(stream.stored).toHaveLength(6);
    const [{ after }] = await db.query('SELECT count(*)::int AS after FROM relay.outbox');
    expect(after).toBe(0);
  });

  it('orders by the payload field its service names, and by nothing else', async () => {
    const stream = new StreamStandIn();
    const outbox = new Outbox(db, stream as unknown as JetStreamPublisher, {
      schema: 'relay',
      relayIntervalMs: 1_000,
      orderedBy: 'recipientId',
    });
    // The same conversation for all: were it the key, r2's events would wait for r1's lost one.
    const receipt = (recipientId: string, n: number) => ({
      subject: 'parley.evt.receipt.delivered',
      msgId: `${recipientId}-${n}`,
      payload: {
        id: `${recipientId}-${n}`,
        type: 'receipt.delivered',
        recipientId,
        conversationId: 'shared',
      },
    });
    await db.transaction((em) =>
      outbox.add(em, receipt('r1', 1), receipt('r2', 1), receipt('r1', 2), receipt('r2', 2)),
    );
    stream.failNext('r1-1');

    await outbox.flush();
    expect(stream.stored).toEqual(['r2-1', 'r2-2']);
    await outbox.flush();
    expect(stream.stored).toEqual(['r2-1', 'r2-2', 'r1-1', 'r1-2']);
  });

  it('publishes what a transaction wrote, and after a failure lets nothing newer overtake what is left', async () => {
    const stream = new StreamStandIn();
    const outbox = new Outbox(db, stream as unknown as JetStreamPublisher, {
      schema: 'relay',
      relayIntervalMs: 1_000,
      orderedBy: 'conversationId',
    });
    const event = (n: number) => ({
      subject: 'parley.evt.message.created',
      msgId: `c-${n}`,
      payload: { id: `c-${n}`, type: 'message.created', conversationId: 'c' },
    });
    const first = await db.transaction((em) => outbox.add(em, event(1), event(2), event(3)));
    const rows: Array<{ id: string; msg_id: string }> = await db.query(
      'SELECT id::text, msg_id FROM relay.outbox ORDER BY id',
    );
    expect(first.map((r) => [r.id, r.msg_id])).toEqual(rows.map((r) => [r.id, r.msg_id]));

    stream.failNext('c-2');
    await outbox.flush(first);
    expect(stream.stored).toEqual(['c-1']);

    // c-4 comes from a newer transaction; c-2 and c-3 are still in the table and go first.
    const second = await db.transaction((em) => outbox.add(em, event(4)));
    await outbox.flush(second);
    expect(stream.stored).toEqual(['c-1', 'c-2', 'c-3', 'c-4']);

    const third = await db.transaction((em) => outbox.add(em, event(5)));
    await outbox.flush(third);
    expect(stream.stored).toEqual(['c-1', 'c-2', 'c-3', 'c-4', 'c-5']);
    const [{ left }] = await db.query('SELECT count(*)::int AS left FROM relay.outbox');
    expect(left).toBe(0);
  });

  it('drops the rows of a conversation erased after they were written, and publishes the rest', async () => {
    const stream = new StreamStandIn();
    const outbox = relayOutbox(stream);
    const written = await db.transaction((em) =>
      outbox.add(em, messageOf('erased', 1), messageOf('kept', 1), messageOf('erased', 2)),
    );
    stream.erased.add('erased');
    await outbox.flush(written);
    expect(stream.stored).toEqual(['kept-1']);
    const [{ left }] = await db.query('SELECT count(*)::int AS left FROM relay.outbox');
    expect(left).toBe(0);
    // Nothing was left behind to block what comes next.
    await outbox.flush(await db.transaction((em) => outbox.add(em, messageOf('kept', 2))));
    expect(stream.stored).toEqual(['kept-1', 'kept-2']);
  });

  it("publishes a conversation's rows that another writer left unpublished before its own", async () => {
    const stream = new StreamStandIn();
    const stalled = relayOutbox(stream);
    const next = relayOutbox(stream);
    // The first writer commits and stalls before publishing; the next one takes the conversation over.
    await db.transaction((em) => stalled.add(em, messageOf('d', 1), messageOf('d', 2)));
    const mine = await db.transaction((em) => next.add(em, messageOf('d', 3)));
    await next.flush(mine);
    expect(stream.stored).toEqual(['d-1', 'd-2', 'd-3']);

    // The conversation is now the next writer's: its own rows go out as they are written.
    const more = await db.transaction((em) => next.add(em, messageOf('d', 4)));
    await next.flush(more);
    expect(stream.stored).toEqual(['d-1', 'd-2', 'd-3', 'd-4']);
    const [{ left }] = await db.query('SELECT count(*)::int AS left FROM relay.outbox');
    expect(left).toBe(0);
  });

  it('treats rows written before writers were recorded as another writer’s', async () => {
    await db.query('CREATE SCHEMA upgraded');
    await db.query(outboxTableSql('upgraded'));
    await db.query(outboxTraceColumnSql('upgraded'));
    await db.query(
      `INSERT INTO upgraded.outbox (subject, msg_id, payload) VALUES ('parley.evt.message.created', 'e-1', $1)`,
      [JSON.stringify(messageOf('e', 1).payload)],
    );
    for (const sql of outboxWritersSql('upgraded', 'conversationId')) await db.query(sql);

    const stream = new StreamStandIn();
    const outbox = relayOutbox(stream, 'upgraded');
    const mine = await db.transaction((em) => outbox.add(em, messageOf('e', 2)));
    await outbox.flush(mine);
    expect(stream.stored).toEqual(['e-1', 'e-2']);
  });

  it('deletes what it published with an asynchronous commit that does not outlive the delete', async () => {
    // One connection, so that whatever the delete leaves behind the next transaction would inherit.
    const single = await new DataSource({
      type: 'postgres',
      url: database.url,
      extra: { max: 1 },
    }).initialize();
    try {
      const stream = new StreamStandIn();
      const outbox = new Outbox(single, stream as unknown as JetStreamPublisher, {
        schema: 'relay',
        relayIntervalMs: 1_000,
        orderedBy: 'conversationId',
      });
      const written = await single.transaction((em) => outbox.add(em, messageOf('f', 1)));
      await outbox.flush(written);
      expect(stream.stored).toEqual(['f-1']);
      const [{ left }] = await single.query(
        "SELECT count(*)::int AS left FROM relay.outbox WHERE msg_id = 'f-1'",
      );
      expect(left).toBe(0);
      // The services' own transactions (claims, state, outbox rows) must keep waiting for the disk.
      const [{ synchronous_commit: mode }] = await single.query('SHOW synchronous_commit');
      expect(mode).toBe('on');
    } finally {
      await single.destroy();
    }
  });
});
