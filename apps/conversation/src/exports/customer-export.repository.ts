import { Injectable } from '@nestjs/common';
import type { ExportedConversation, ExportedCustomer } from '@parley/contracts';
import { DataSource } from 'typeorm';

interface CustomerRow {
  id: string;
  external_id: string;
  name: string | null;
  email: string | null;
  attributes: Record<string, unknown>;
  time_zone: string | null;
  created_at: Date;
}

interface ConversationRow {
  id: string;
  subject: string | null;
  status: ExportedConversation['status'];
  priority: ExportedConversation['priority'];
  assignee_id: string | null;
  team: string | null;
  site_id: string | null;
  labels: string[];
  created_at: Date;
  last_message_at: Date;
  snooze_until: Date | null;
  last_seq: number;
  score: number | null;
  comment: string | null;
  via: NonNullable<ExportedConversation['rating']>['via'] | null;
  rated_at: Date | null;
}

/** What the conversation service holds of one customer, as their export shows it. */
@Injectable()
export class CustomerExportRepository {
  constructor(private readonly db: DataSource) {}

  async customer(customerId: string): Promise<ExportedCustomer | null> {
    const [row]: CustomerRow[] = await this.db.query(
      `SELECT id, external_id, name, email, attributes, time_zone, created_at
         FROM conversation.customers WHERE id = $1`,
      [customerId],
    );
    return row
      ? {
          id: row.id,
          externalId: row.external_id,
          name: row.name,
          email: row.email,
          attributes: row.attributes,
          timeZone: row.time_zone,
          createdAt: row.created_at.toISOString(),
        }
      : null;
  }

  /** Every conversation of the customer, oldest first, with its labels' names and its rating. */
  async conversations(customerId: string): Promise<ExportedConversation[]> {
    const rows: ConversationRow[] = await this.db.query(
      `SELECT c.id, c.subject, c.status, c.priority, c.assignee_id, c.team, c.site_id, c.created_at,
              c.last_message_at, c.snooze_until, c.last_seq, r.score, r.comment, r.via, r.rated_at,
              ARRAY(SELECT l.name FROM unnest(c.labels) WITH ORDINALITY AS o (id, n)
                      JOIN conversation.labels l ON l.id = o.id ORDER BY o.n) AS labels
         FROM conversation.conversations c
         LEFT JOIN conversation.ratings r ON r.conversation_id = c.id
        WHERE c.customer_id = $1
        ORDER BY c.created_at, c.id`,
      [customerId],
    );
    return rows.map((row) => ({
      id: row.id,
      subject: row.subject,
      status: row.status,
      priority: row.priority,
      assigneeId: row.assignee_id,
      team: row.team,
      siteId: row.site_id,
      labels: row.labels,
      createdAt: row.created_at.toISOString(),
      lastMessageAt: row.last_message_at.toISOString(),
      snoozeUntil: row.snooze_until?.toISOString() ?? null,
      lastSeq: row.last_seq,
      rating:
        row.score === null || row.via === null || row.rated_at === null
          ? null
          : { score: row.score, comment: row.comment, via: row.via, ratedAt: row.rated_at.toISOString() },
    }));
  }
}
