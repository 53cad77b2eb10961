/**
 * The outbox against a real PostgreSQL, with a stand-in for JetStream that can lose a publish the
 * way a dying broker node does: a conversation's events must still reach the stream in seq order.
 */
import { JetStreamPublisher } from '@parley/jetstream';
import { createDatabase, TestDatabase } from '@parley/testing';
import { DataSource } from 'typeorm';
import { Outbox, outboxTableSql, outboxTraceColumnSql } from '../src';

/** Stores each msg id once, like JetStream's duplicate window; can fail chosen publishes once. */
class StreamStandIn {
  readonly stored: string[] = [];
  private readonly failOnce = new Set<string>();

  failNext(msgId: string): void {
    this.failOnce.add(msgId);
  }

  async publish(_subject: string, _payload: unknown, msgId: string): Promise<void> {
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

  it('publishes what a transaction wrote, and after a failure lets nothing newer overtake what is left', async () => {
    const stream = new StreamStandIn();
    const outbox = new Outbox(db, stream as unknown as JetStreamPublisher, {
      schema: 'relay',
      relayIntervalMs: 1_000,
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
});
