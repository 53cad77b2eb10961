import { Injectable } from '@nestjs/common';
import { MessageView, ReceiptDeliveredData, ReceiptReadData, ReceiptView } from '@parley/contracts';
import { DataSource } from 'typeorm';

export interface ReceiptRow {
  recipient_id: string;
  delivered_at: Date | null;
  read_at: Date | null;
}

/** Reading implies delivery, even when the inbox was never acknowledged. */
export function toReceiptView(row: ReceiptRow): ReceiptView {
  return {
    recipientId: row.recipient_id,
    deliveredAt: (row.delivered_at ?? row.read_at)?.toISOString() ?? null,
    readAt: row.read_at?.toISOString() ?? null,
  };
}

/** Read horizons and inbox acks, and what they make of each stored message's receipts. */
@Injectable()
export class ReceiptRepository {
  constructor(private readonly db: DataSource) {}

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

  /**
   * Everyone but the author who had the message delivered or read it: `readAt` is the first read
   * horizon at or past its seq, `deliveredAt` the inbox ack that covered it.
   */
  async of(message: Pick<MessageView, 'id' | 'conversationId' | 'seq' | 'authorId'>): Promise<ReceiptView[]> {
    const rows: ReceiptRow[] = await this.db.query(
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
      [message.id, message.conversationId, message.seq, message.authorId],
    );
    return rows.map(toReceiptView);
  }
}
