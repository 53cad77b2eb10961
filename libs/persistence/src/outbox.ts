import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ContentErased, currentTrace, JetStreamPublisher, TraceContext } from '@parley/jetstream';
import { DataSource, EntityManager, MigrationInterface, QueryRunner } from 'typeorm';

export const OUTBOX_OPTIONS = Symbol('OUTBOX_OPTIONS');

export interface OutboxOptions {
  /** The service's schema, which holds its `outbox` table. */
  schema: string;
  /** How often the relay looks for rows a failed or crashed publish left behind. */
  relayIntervalMs: number;
  /**
   * The payload field that holds an event's ordering key (a conversation's id, say): events with
   * the same key are published one after another, in the order they were written, and a writer
   * that takes a key over from another publishes what that one left of it first. Events without
   * the field are ordered among themselves.
   */
  orderedBy: string;
}

export interface OutboxMessage {
  subject: string;
  payload: object;
  /** Becomes the Nats-Msg-Id, so a message published twice (crash after publish) is dropped. */
  msgId: string;
}

/** A row of the outbox table, as written by `add` or read back by the relay. */
export interface OutboxRow {
  id: string;
  subject: string;
  msg_id: string;
  payload: object;
  trace: TraceContext | null;
  /**
   * Set by `add` when another writer (a replica, or this service before a restart) wrote events of
   * the same ordering key before: some of them may still be in the table, unpublished.
   */
  afterOtherWriter?: boolean;
}

/** Added later: the trace context each event was written in, so the relay publishes it with it. */
export function outboxTraceColumnSql(schema: string): string {
  return `ALTER TABLE "${schema}".outbox ADD COLUMN trace jsonb`;
}

/**
 * Added later: which writer last wrote the events of each ordering key (`orderedBy`, see
 * `OutboxOptions`), so that a flush looks for a key's unpublished older rows only after a change of
 * writer. Keys with rows in the outbox when it is added get an unknown writer, so their next flush
 * looks. The key is held in the column `conversation_id`.
 */
export function outboxWritersSql(schema: string, orderedBy: string): string[] {
  const key = `payload->>'${orderedBy.replace(/'/g, "''")}'`;
  return [
    `CREATE TABLE "${schema}".outbox_writers (
      conversation_id text PRIMARY KEY,
      writer text NOT NULL,
      previous_writer text
    )`,
    `INSERT INTO "${schema}".outbox_writers (conversation_id, writer)
     SELECT DISTINCT ${key}, '' FROM "${schema}".outbox WHERE ${key} IS NOT NULL`,
  ];
}

/** The migration that adds `outbox_writers` to a service's schema, for its outbox's `orderedBy`. */
export function outboxWritersMigration(schema: string, orderedBy: string): new () => MigrationInterface {
  return class implements MigrationInterface {
    // TypeORM reads a migration's name, and its timestamp from the name's end, from this property.
    readonly name = 'OutboxWriters1764300000000';

    async up(q: QueryRunner): Promise<void> {
      for (const sql of outboxWritersSql(schema, orderedBy)) await q.query(sql);
    }

    async down(q: QueryRunner): Promise<void> {
      await q.query(`DROP TABLE "${schema}".outbox_writers`);
    }
  };
}

/** SQL for a service's outbox table; each service adds it in one of its migrations. */
export function outboxTableSql(schema: string): string {
  return `CREATE TABLE "${schema}".outbox (
    id bigserial PRIMARY KEY,
    subject text NOT NULL,
    msg_id text NOT NULL,
    payload jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
  )`;
}

/**
 * Transactional outbox: events are written in the same transaction as the state they describe and
 * published after commit, in order. What a crash leaves behind is published by the relay at start
 * and every second, so no committed change ever goes without its event.
 */
@Injectable()
export class Outbox implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(Outbox.name);
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  /** A publish failed and rows may be left: flushes read the table, in order, until it is drained. */
  private behind = false;
  /** This process's name in `outbox_writers`: a restarted process is another writer. */
  private readonly writer = randomUUID();

  constructor(
    private readonly db: DataSource,
    private readonly publisher: JetStreamPublisher,
    @Inject(OUTBOX_OPTIONS) private readonly options: OutboxOptions,
  ) {}

  /** An event's ordering key, read from the payload field the service names; '' when it has none. */
  private keyOf(message: { payload: object }): string {
    const key = (message.payload as Record<string, unknown>)[this.options.orderedBy];
    return typeof key === 'string' ? key : '';
  }

  /** Writes the messages in the caller's transaction; hand what it returns to `flush` after commit. */
  async add(em: EntityManager, ...messages: OutboxMessage[]): Promise<OutboxRow[]> {
    if (!messages.length) return [];
    // Before the rows take their ids: a writer that wrote these keys' events before has committed
    // by now (the lock below waits for it), so its rows have lower ids than these.
    const afterOtherWriter = await this.claimKeys(
      em,
      messages.map((m) => this.keyOf(m)),
    );
    const trace = currentTrace() ?? null;
    // One JSON document rather than a jsonb[] parameter, which pg escaped element by element.
    const ids: Array<{ id: string }> = await em.query(
      `INSERT INTO "${this.options.schema}".outbox (subject, msg_id, payload, trace)
       SELECT m->>'subject', m->>'msgId', m->'payload', $2::jsonb
         FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(m, n)
        ORDER BY n RETURNING id`,
      [
        JSON.stringify(messages.map(({ subject, msgId, payload }) => ({ subject, msgId, payload }))),
        trace ? JSON.stringify(trace) : null,
      ],
    );
    // Ids are drawn in the ORDER BY's order, so ascending ids are the messages' order.
    const ascending = ids.map((r) => BigInt(r.id)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return messages.map((m, i) => ({
      id: String(ascending[i]),
      subject: m.subject,
      msg_id: m.msgId,
      payload: m.payload,
      trace,
      afterOtherWriter: afterOtherWriter.has(this.keyOf(m)),
    }));
  }

  /**
   * Records this process as the writer of these ordering keys' events, locking their entries until
   * commit, and returns those another writer wrote before (or whose writer is unknown).
   */
  private async claimKeys(em: EntityManager, keys: string[]): Promise<Set<string>> {
    // Sorted, so that two transactions claiming overlapping sets never wait on each other in a cycle.
    const ids = [...new Set(keys.filter((k) => k !== ''))].sort();
    if (!ids.length) return new Set();
    // An entry whose writer is already this process is locked and left as it is (no row version).
    const claimed: Array<{ conversation_id: string; previous_writer: string | null }> = await em.query(
      `INSERT INTO "${this.options.schema}".outbox_writers AS w (conversation_id, writer)
       SELECT unnest($1::text[]), $2
       ON CONFLICT (conversation_id) DO UPDATE SET writer = EXCLUDED.writer, previous_writer = w.writer
        WHERE w.writer <> EXCLUDED.writer
       RETURNING conversation_id, previous_writer`,
      [ids, this.writer],
    );
    // A new entry comes back with no previous writer: nobody wrote that key's events before.
    return new Set(claimed.filter((row) => row.previous_writer !== null).map((row) => row.conversation_id));
  }

  /**
   * Publishes what a committed transaction wrote (`written`, from `add`) without reading it back, or,
   * when there is no such list or an earlier publish failed, everything committed so far in outbox
   * order. Concurrent calls queue up behind one another.
   */
  flush(written?: OutboxRow[]): Promise<void> {
    this.flushing = this.flushing
      .then(async () => {
        if (written && !this.behind) await this.publishWritten(written);
        else await this.publishPending();
      })
      .catch((error: Error) => {
        // Until the relay has published what is left, newer rows must not overtake it.
        this.behind = true;
        this.log.warn(`outbox not flushed yet: ${error.message}`);
      });
    return this.flushing;
  }

  onApplicationBootstrap(): void {
    void this.flush();
    this.timer = setInterval(() => void this.flush(), this.options.relayIntervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flushing;
  }

  /**
   * Another replica may have committed a key's earlier events and not published them yet (it is
   * slow, or it died): it committed first (see `add`), so its rows have lower ids. They go out
   * first, from here; if it publishes them too, JetStream drops the copy by its msg id. Otherwise
   * a conversation's seq k+1 could reach the stream before k. Only keys that changed writer are
   * looked up: the lookup walks every row deleted since the last vacuum (a
   * fifth of conversation's time per batch after 100,000 commands), and this process's own rows
   * go out in order through `flushing`.
   */
  private async publishWritten(rows: OutboxRow[]): Promise<void> {
    if (!rows.length) return;
    const all = [...(await this.leftByOtherWriters(rows)), ...rows];
    await this.publishInOrder(all);
    // The relay may have published and deleted some of them meanwhile; deleting those is a no-op.
    // Committed without waiting for the WAL to reach the disk (the caller's next batch waited for
    // that flush): should a database crash undo the delete, the relay publishes the rows again and
    // JetStream drops them by msg id, or the consumers, idempotent by event id, do.
    await this.db.query(
      `WITH async_commit AS (SELECT set_config('synchronous_commit', 'off', true))
       DELETE FROM "${this.options.schema}".outbox
        WHERE id = ANY($1::bigint[]) AND EXISTS (SELECT FROM async_commit)`,
      [all.map((r) => r.id)],
    );
  }

  /** Older rows still in the table of the ordering keys of `rows` that changed writer, in id order. */
  private async leftByOtherWriters(rows: OutboxRow[]): Promise<OutboxRow[]> {
    // Only rows with a key are ever marked (`claimKeys`).
    const keys = [...new Set(rows.filter((r) => r.afterOtherWriter).map((r) => this.keyOf(r)))];
    if (!keys.length) return [];
    // A bound, not `id < ALL(ids)`: PostgreSQL scans the primary key only up to a bound, while with
    // ALL it read the whole table, dead rows included (catch-up 9,000 -> 2,600 commands/s).
    const lowest = rows.map((r) => BigInt(r.id)).reduce((a, b) => (a < b ? a : b));
    return this.db.query(
      `SELECT id, subject, msg_id, payload, trace FROM "${this.options.schema}".outbox
        WHERE id < $1 AND payload->>$3 = ANY($2::text[]) ORDER BY id`,
      [lowest.toString(), keys, this.options.orderedBy],
    );
  }

  private async publishPending(): Promise<void> {
    for (;;) {
      const published = await this.db.transaction(async (em) => {
        // Relays of several replicas take turns (no SKIP LOCKED): one skipping the rows another
        // holds could publish a conversation's later events before the earlier ones.
        const rows: OutboxRow[] = await em.query(
          `SELECT id, subject, msg_id, payload, trace FROM "${this.options.schema}".outbox
            ORDER BY id LIMIT 200 FOR UPDATE`,
        );
        if (!rows.length) return 0;
        await this.publishInOrder(rows);
        await em.query(`DELETE FROM "${this.options.schema}".outbox WHERE id = ANY($1::bigint[])`, [
          rows.map((r) => r.id),
        ]);
        return rows.length;
      });
      if (published < 200) {
        this.behind = false;
        return;
      }
    }
  }

  /**
   * A key's events are published one after another, each once the one before it is stored:
   * pipelined, a publish lost with a dying broker node while later ones got through stored a
   * conversation's messages out of seq order (found by the cluster-node chaos test). Different keys
   * still go side by side. On a failure nothing is deleted: the rows are published
   * again, and JetStream drops the ones it already stored by their msg id.
   */
  private async publishInOrder(rows: OutboxRow[]): Promise<void> {
    const outcomes = await Promise.allSettled(
      [...inOrderPerKey(rows, (row) => this.keyOf(row))].map(async (chain) => {
        for (const row of chain) {
          try {
            await this.publisher.publish(row.subject, row.payload, row.msg_id, row.trace ?? undefined);
          } catch (error) {
            // Its conversation was erased after the row was written: the event's content must not
            // be kept, and nothing will ever read it. It goes with the published rows.
            if (!(error instanceof ContentErased)) throw error;
            this.log.log(`dropped ${row.subject} (${row.msg_id}): ${error.message}`);
          }
        }
      }),
    );
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason;
  }
}

/** The rows of each ordering key, in outbox order. */
function inOrderPerKey<T>(rows: T[], keyOf: (row: T) => string): Iterable<T[]> {
  const chains = new Map<string, T[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const chain = chains.get(key);
    if (chain) chain.push(row);
    else chains.set(key, [row]);
  }
  return chains.values();
}
