import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { currentTrace, JetStreamPublisher, TraceContext } from '@parley/jetstream';
import { DataSource, EntityManager } from 'typeorm';

export const OUTBOX_OPTIONS = Symbol('OUTBOX_OPTIONS');

export interface OutboxOptions {
  /** The service's schema, which holds its `outbox` table. */
  schema: string;
  /** How often the relay looks for rows a failed or crashed publish left behind. */
  relayIntervalMs: number;
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
}

/** SQL for a service's outbox table; each service adds it in one of its migrations. */
/** Added later: the trace context each event was written in, so the relay publishes it with it. */
export function outboxTraceColumnSql(schema: string): string {
  return `ALTER TABLE "${schema}".outbox ADD COLUMN trace jsonb`;
}

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

  constructor(
    private readonly db: DataSource,
    private readonly publisher: JetStreamPublisher,
    @Inject(OUTBOX_OPTIONS) private readonly options: OutboxOptions,
  ) {}

  /** Writes the messages in the caller's transaction; hand what it returns to `flush` after commit. */
  async add(em: EntityManager, ...messages: OutboxMessage[]): Promise<OutboxRow[]> {
    if (!messages.length) return [];
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
    }));
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
   * Another replica may have committed a conversation's earlier events and not published them yet
   * (it is slow, or it died): under the conversation's row lock it committed first, so its rows
   * have lower ids. They go out first, from here; if it publishes them too, JetStream drops the
   * copy by its msg id. Otherwise a conversation's seq k+1 could reach the stream before k.
   */
  private async publishWritten(rows: OutboxRow[]): Promise<void> {
    if (!rows.length) return;
    const conversations = [...new Set(rows.map(conversationOf).filter((c) => c !== ''))];
    // A bound, not `id < ALL(ids)`: PostgreSQL scans the primary key only up to a bound, while with
    // ALL it read the whole table, dead rows included (catch-up 9,000 -> 2,600 commands/s).
    const lowest = rows.map((r) => BigInt(r.id)).reduce((a, b) => (a < b ? a : b));
    const earlier: OutboxRow[] = conversations.length
      ? await this.db.query(
          `SELECT id, subject, msg_id, payload, trace FROM "${this.options.schema}".outbox
            WHERE id < $1 AND payload->>'conversationId' = ANY($2::text[]) ORDER BY id`,
          [lowest.toString(), conversations],
        )
      : [];
    const all = [...earlier, ...rows];
    await this.publishInOrder(all);
    // The relay may have published and deleted some of them meanwhile; deleting those is a no-op.
    await this.db.query(`DELETE FROM "${this.options.schema}".outbox WHERE id = ANY($1::bigint[])`, [
      all.map((r) => r.id),
    ]);
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
   * A conversation's events are published one after another, each once the one before it is
   * stored: pipelined, a publish lost with a dying broker node while later ones got through stored
   * a conversation's messages out of seq order (found by the cluster-node chaos test). Different
   * conversations still go side by side. On a failure nothing is deleted: the rows are published
   * again, and JetStream drops the ones it already stored by their msg id.
   */
  private async publishInOrder(rows: OutboxRow[]): Promise<void> {
    const outcomes = await Promise.allSettled(
      [...inOrderPerConversation(rows)].map(async (chain) => {
        for (const row of chain)
          await this.publisher.publish(row.subject, row.payload, row.msg_id, row.trace ?? undefined);
      }),
    );
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason;
  }
}

/** The conversation an outbox row's event belongs to; '' for events of no conversation. */
function conversationOf(row: { payload: object }): string {
  const { conversationId } = row.payload as { conversationId?: unknown };
  return typeof conversationId === 'string' ? conversationId : '';
}

/** The rows of each conversation, in outbox order; rows of no conversation form one chain too. */
function inOrderPerConversation<T extends { payload: object }>(rows: T[]): Iterable<T[]> {
  const chains = new Map<string, T[]>();
  for (const row of rows) {
    const key = conversationOf(row);
    const chain = chains.get(key);
    if (chain) chain.push(row);
    else chains.set(key, [row]);
  }
  return chains.values();
}
