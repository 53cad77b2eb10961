import { Injectable } from '@nestjs/common';
import { ConversationCreatedData } from '@parley/contracts';
import { DataSource } from 'typeorm';

/** Which customer each conversation belongs to: all history needs to decide who may read it. */
@Injectable()
export class ConversationRepository {
  constructor(private readonly db: DataSource) {}

  /** Idempotent: a conversation seen again changes nothing. */
  async record(conversations: ConversationCreatedData[]): Promise<void> {
    await this.db.query(
      `INSERT INTO history.conversations (id, customer_id, created_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[]) ON CONFLICT (id) DO NOTHING`,
      [
        conversations.map((c) => c.conversationId),
        conversations.map((c) => c.customerId),
        conversations.map((c) => c.createdAt),
      ],
    );
  }

  /** The conversation's customer, or undefined when history has not seen the conversation. */
  async customerOf(conversationId: string): Promise<string | undefined> {
    const [row]: Array<{ customer_id: string }> = await this.db.query(
      'SELECT customer_id FROM history.conversations WHERE id = $1',
      [conversationId],
    );
    return row?.customer_id;
  }

  /** Whether the conversation was erased here (its customer's erasure, or retention). */
  async erased(conversationId: string): Promise<boolean> {
    const rows: unknown[] = await this.db.query(
      'SELECT 1 FROM history.erased_conversations WHERE conversation_id = $1',
      [conversationId],
    );
    return rows.length > 0;
  }
}
