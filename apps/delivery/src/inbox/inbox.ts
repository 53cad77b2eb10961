import { Inject, Injectable } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/nats-core';
import {
  AckInbox,
  DomainEvent,
  encodeInboxCursor,
  eventSubject,
  EventTypes,
  InboxEventView,
  InboxPage,
  InboxQuery,
  liveSubject,
  ReceiptDeliveredData,
} from '@parley/contracts';
import { NATS_CONNECTION } from '@parley/jetstream';
import { Outbox } from '@parley/persistence';
import { DataSource } from 'typeorm';
import { decodeCursor } from './inbox-cursor';
import { addressBatch } from './recipients';

export interface InboxRow {
  cursor: string;
  event_id: string;
  type: string;
  conversation_id: string | null;
  occurred_at: Date;
  data: Record<string, unknown>;
}

export function toInboxEventView(row: InboxRow): InboxEventView {
  return {
    id: row.event_id,
    cursor: encodeInboxCursor(row.cursor),
    type: row.type,
    conversationId: row.conversation_id,
    occurredAt: row.occurred_at.toISOString(),
    data: row.data,
  };
}

/** Locks shared by all inboxes to keep each one's cursors committing in order (see `deliver`). */
const INBOX_LOCKS = 256;

/** Every principal's ordered feed of the events addressed to them. */
@Injectable()
export class Inbox {
  constructor(
    private readonly db: DataSource,
    private readonly outbox: Outbox,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
  ) {}

  async registerAgent(agentId: string): Promise<void> {
    await this.db.query('INSERT INTO delivery.agents (id) VALUES ($1) ON CONFLICT DO NOTHING', [agentId]);
  }

  /**
   * Stores each event of a batch once in each recipient's inbox, in the batch's order, with one
   * insert (a redelivery inserts nothing), then tells the gateways holding those principals'
   * streams and long-polls to look, once per principal.
   */
  async deliver(events: DomainEvent[]): Promise<void> {
    const { principals, eventIndexes } = await addressBatch(events, () =>
      this.db
        .query('SELECT id FROM delivery.agents ORDER BY id')
        .then((rows: Array<{ id: string }>) => rows.map((r) => r.id)),
    );
    if (!principals.length) return;
    // The events go as one JSON document, each once however many inboxes it lands in: as a jsonb[]
    // parameter every copy was escaped element by element (pg's escapeElement, 4% of delivery).
    // Only each principal's newest cursor comes back: a notification only wakes the principal's
    // readers, who then read the inbox, so one per principal and batch says all (a catch-up sent a
    // thousand a batch, one per row).
    const newest = await this.db.transaction(
      async (em): Promise<Array<{ principal_id: string; cursor: string }>> => {
        // Processes owning other partitions write into the same inboxes at once. A cursor is drawn
        // when its row is inserted but seen only at commit, so a reader could pass a cursor that a
        // slower transaction commits later and never see it. Holding each recipient's lock until
        // commit makes one inbox's cursors commit in order (sorted, so two batches never deadlock).
        // Recipients share INBOX_LOCKS locks, so a batch addressed to thousands of agents takes at
        // most that many (PostgreSQL's lock table is bounded).
        await em.query(
          `SELECT pg_advisory_xact_lock(k) FROM (
           SELECT DISTINCT abs(hashtextextended(p, 0) % $2) AS k FROM unnest($1::text[]) AS p ORDER BY 1) AS recipients`,
          [principals, INBOX_LOCKS],
        );
        return em.query(
          `WITH batch AS MATERIALIZED (SELECT $3::jsonb AS events),
       stored AS (
         INSERT INTO delivery.inbox_events (principal_id, event_id, type, conversation_id, occurred_at, data)
         SELECT r.principal_id, e->>'id', e->>'type', e->>'conversationId', (e->>'occurredAt')::timestamptz, e->'data'
           FROM unnest($1::text[], $2::int[]) WITH ORDINALITY AS r (principal_id, event_index, position)
                CROSS JOIN batch
                CROSS JOIN LATERAL (SELECT batch.events -> r.event_index) AS picked (e)
          -- An event of an erased conversation published late (its writer's flush racing the
          -- erasure) is not kept.
          WHERE NOT EXISTS (SELECT 1 FROM delivery.erased_conversations x WHERE x.conversation_id = e->>'conversationId')
          ORDER BY r.position
         ON CONFLICT (principal_id, event_id) DO NOTHING
         RETURNING principal_id, cursor
       )
       SELECT principal_id, max(cursor)::text AS cursor FROM stored GROUP BY principal_id`,
          [
            principals,
            eventIndexes,
            JSON.stringify(
              events.map(({ id, type, conversationId, occurredAt, data }) => ({
                id,
                type,
                conversationId,
                occurredAt,
                data,
              })),
            ),
          ],
        );
      },
    );
    for (const { principal_id: principal, cursor } of newest)
      this.nc.publish(liveSubject(principal), encodeInboxCursor(cursor));
  }

  /**
   * Everything up to the position counts as delivered to the principal: the messages in that
   * stretch get their deliveredAt, announced to history as `receipt.delivered` through the outbox.
   */
  async acknowledge(cmd: AckInbox): Promise<void> {
    const written = await this.db.transaction(async (em) => {
      const [previous] = await em.query(
        'SELECT position FROM delivery.inbox_acks WHERE principal_id = $1 FOR UPDATE',
        [cmd.principalId],
      );
      const from: string = previous?.position ?? '0';
      if (BigInt(cmd.position) <= BigInt(from)) return [];
      const deliveredAt = new Date().toISOString();
      await em.query(
        `INSERT INTO delivery.inbox_acks (principal_id, position, acked_at) VALUES ($1, $2, $3)
         ON CONFLICT (principal_id) DO UPDATE SET position = EXCLUDED.position, acked_at = EXCLUDED.acked_at`,
        [cmd.principalId, cmd.position, deliveredAt],
      );
      const messages: Array<{ id: string }> = await em.query(
        `SELECT data->>'messageId' AS id FROM delivery.inbox_events
          WHERE principal_id = $1 AND cursor > $2 AND cursor <= $3 AND type IN ('message.created', 'note.created')`,
        [cmd.principalId, from, cmd.position],
      );
      if (!messages.length) return [];
      const data: ReceiptDeliveredData = {
        recipientId: cmd.principalId,
        messageIds: messages.map((m) => m.id),
        deliveredAt,
      };
      const id = `${EventTypes.receiptDelivered}:${cmd.principalId}:${cmd.position}`;
      const event: DomainEvent<ReceiptDeliveredData> = {
        id,
        type: EventTypes.receiptDelivered,
        occurredAt: deliveredAt,
        data,
      };
      return this.outbox.add(em, { subject: eventSubject(event.type), payload: event, msgId: id });
    });
    await this.outbox.flush(written);
  }

  /** A page after the cursor; nextCursor is where to continue, even when nothing new was there. */
  async page(q: InboxQuery): Promise<InboxPage> {
    const after = q.cursor ? decodeCursor(q.cursor) : '0';
    const rows: InboxRow[] = await this.db.query(
      `SELECT cursor, event_id, type, conversation_id, occurred_at, data FROM delivery.inbox_events
        WHERE principal_id = $1 AND cursor > $2 ORDER BY cursor LIMIT $3`,
      [q.principal.id, after, q.limit],
    );
    const events = rows.map(toInboxEventView);
    const last = events[events.length - 1];
    return { events, nextCursor: last ? last.cursor : (q.cursor ?? null) };
  }
}
