import { Injectable } from '@nestjs/common';
import { DomainEvent, InboxEventView, InboxPage, InboxQuery } from '@parley/contracts';
import { DataSource } from 'typeorm';
import { decodeCursor, encodeCursor } from './inbox-cursor';
import { recipientsOf } from './recipients';

interface InboxRow {
  cursor: string;
  event_id: string;
  type: string;
  conversation_id: string | null;
  occurred_at: Date;
  data: Record<string, unknown>;
}

/** Every principal's ordered feed of the events addressed to them. */
@Injectable()
export class Inbox {
  constructor(private readonly db: DataSource) {}

  async registerAgent(agentId: string): Promise<void> {
    await this.db.query('INSERT INTO delivery.agents (id) VALUES ($1) ON CONFLICT DO NOTHING', [agentId]);
  }

  /** Stores the event once in each recipient's inbox; a redelivery inserts nothing. */
  async deliver(event: DomainEvent): Promise<void> {
    const recipients = await recipientsOf(event, async () =>
      (await this.db.query('SELECT id FROM delivery.agents ORDER BY id')).map((r: { id: string }) => r.id),
    );
    if (!recipients.length) return;
    await this.db.query(
      `INSERT INTO delivery.inbox_events (principal_id, event_id, type, conversation_id, occurred_at, data)
       SELECT principal_id, $2, $3, $4, $5, $6 FROM unnest($1::text[]) AS principal_id
       ON CONFLICT (principal_id, event_id) DO NOTHING`,
      [recipients, event.id, event.type, event.conversationId ?? null, event.occurredAt, event.data],
    );
  }

  /** A page after the cursor; nextCursor is where to continue, even when nothing new was there. */
  async page(q: InboxQuery): Promise<InboxPage> {
    const after = q.cursor ? decodeCursor(q.cursor) : '0';
    const rows: InboxRow[] = await this.db.query(
      `SELECT cursor, event_id, type, conversation_id, occurred_at, data FROM delivery.inbox_events
        WHERE principal_id = $1 AND cursor > $2 ORDER BY cursor LIMIT $3`,
      [q.principal.id, after, q.limit],
    );
    const events: InboxEventView[] = rows.map((r) => ({
      id: r.event_id,
      cursor: encodeCursor(r.cursor),
      type: r.type,
      conversationId: r.conversation_id,
      occurredAt: r.occurred_at.toISOString(),
      data: r.data,
    }));
    const last = events[events.length - 1];
    return { events, nextCursor: last ? last.cursor : (q.cursor ?? null) };
  }
}
