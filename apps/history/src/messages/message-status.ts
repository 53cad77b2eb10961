import { Injectable } from '@nestjs/common';
import {
  Issuer,
  MessageQuery,
  MessageRejectedData,
  MessageStatusView,
  ReceiptDeliveredData,
  ReceiptReadData,
  ReceiptView,
} from '@parley/contracts';
import { QueryRejected } from '@parley/jetstream';
import { DataSource } from 'typeorm';

export interface AcceptedMessage {
  id: string;
  conversationId: string;
  author: Issuer;
  type: 'message' | 'note';
  body: string;
  acceptedAt: string;
}

interface StatusRow {
  id: string;
  conversation_id: string;
  seq: number | null;
  author_id: string;
  author_role: string;
  type: 'message' | 'note';
  body: string | null;
  created_at: Date;
  status: 'accepted' | 'stored' | 'rejected';
  reason: string | null;
}

/**
 * Where each message stands: `accepted` once its command is seen, `stored` with its seq, or
 * `rejected` with the reason; and who has had it delivered and read.
 */
@Injectable()
export class MessageStatus {
  constructor(private readonly db: DataSource) {}

  /** Commands can be read after their outcome: only an unresolved message is recorded as accepted. */
  async recordAccepted(accepted: AcceptedMessage[]): Promise<void> {
    const column = <T>(pick: (m: AcceptedMessage) => T) => accepted.map(pick);
    await this.db.query(
      `INSERT INTO history.accepted_messages (id, conversation_id, author_id, author_role, type, body, accepted_at)
       SELECT a.* FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[])
                AS a (id, conversation_id, author_id, author_role, type, body, accepted_at)
        WHERE NOT EXISTS (SELECT 1 FROM history.messages m WHERE m.id = a.id)
          AND NOT EXISTS (SELECT 1 FROM history.rejected_messages r WHERE r.id = a.id)
       ON CONFLICT (id) DO NOTHING`,
      [
        column((m) => m.id),
        column((m) => m.conversationId),
        column((m) => m.author.id),
        column((m) => m.author.role),
        column((m) => m.type),
        column((m) => m.body),
        column((m) => m.acceptedAt),
      ],
    );
  }

  /** Records the rejection and clears the `accepted` record in one statement. */
  async recordRejected(r: MessageRejectedData, at: string): Promise<void> {
    await this.db.query(
      `WITH rejected AS (
         INSERT INTO history.rejected_messages (id, conversation_id, author_id, reason, rejected_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING
       )
       DELETE FROM history.accepted_messages WHERE id = $1`,
      [r.messageId, r.conversationId, r.authorId, r.reason, at],
    );
  }

  async recordRead(eventId: string, r: ReceiptReadData): Promise<void> {
    await this.db.query(
      `INSERT INTO history.read_receipts (event_id, conversation_id, reader_id, seq, read_at)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_id) DO NOTHING`,
      [eventId, r.conversationId, r.readerId, r.seq, r.readAt],
    );
  }

  async recordDelivered(d: ReceiptDeliveredData): Promise<void> {
    await this.db.query(
      `INSERT INTO history.delivery_receipts (message_id, recipient_id, delivered_at)
       SELECT unnest($1::text[]), $2, $3 ON CONFLICT DO NOTHING`,
      [d.messageIds, d.recipientId, d.deliveredAt],
    );
  }

  /** Its author and agents may see a message; anyone else is told it does not exist. */
  async view(q: MessageQuery): Promise<MessageStatusView> {
    const [row]: StatusRow[] = await this.db.query(
      `SELECT id, conversation_id, seq, author_id, author_role, type, body, created_at, 'stored' AS status, NULL AS reason
         FROM history.messages WHERE id = $1
       UNION ALL
       SELECT r.id, r.conversation_id, NULL, r.author_id, COALESCE(a.author_role, 'customer'), COALESCE(a.type, 'message'),
              a.body, COALESCE(a.accepted_at, r.rejected_at), 'rejected', r.reason
         FROM history.rejected_messages r LEFT JOIN history.accepted_messages a ON a.id = r.id WHERE r.id = $1
       UNION ALL
       SELECT id, conversation_id, NULL, author_id, author_role, type, body, accepted_at, 'accepted', NULL
         FROM history.accepted_messages WHERE id = $1
       ORDER BY status DESC LIMIT 1`,
      [q.messageId],
    );
    const visible = row && (q.principal.role === 'agent' || row.author_id === q.principal.id);
    if (!visible) throw new QueryRejected(404, 'Not found', `Message ${q.messageId} was not found.`);
    return {
      id: row.id,
      conversationId: row.conversation_id,
      seq: row.seq,
      authorId: row.author_id,
      authorRole: row.author_role,
      type: row.type,
      body: row.body,
      createdAt: row.created_at.toISOString(),
      status: row.status,
      ...(row.reason ? { rejection: row.reason } : {}),
      receipts: row.seq === null ? [] : await this.receipts(row),
    };
  }

  private async receipts(row: StatusRow): Promise<ReceiptView[]> {
    const rows: Array<{ recipient_id: string; delivered_at: Date | null; read_at: Date | null }> =
      await this.db.query(
        `WITH delivered AS (
         SELECT recipient_id, delivered_at FROM history.delivery_receipts WHERE message_id = $1
       ), read AS (
         SELECT reader_id AS recipient_id, min(read_at) AS read_at FROM history.read_receipts
          WHERE conversation_id = $2 AND seq >= $3 GROUP BY reader_id
       )
       SELECT COALESCE(d.recipient_id, r.recipient_id) AS recipient_id, d.delivered_at, r.read_at
         FROM delivered d FULL JOIN read r ON r.recipient_id = d.recipient_id
        WHERE COALESCE(d.recipient_id, r.recipient_id) <> $4
        ORDER BY 1`,
        [row.id, row.conversation_id, row.seq, row.author_id],
      );
    return rows.map((r) => ({
      recipientId: r.recipient_id,
      // Reading implies delivery, even when the inbox was never acknowledged.
      deliveredAt: (r.delivered_at ?? r.read_at)?.toISOString() ?? null,
      readAt: r.read_at?.toISOString() ?? null,
    }));
  }
}
