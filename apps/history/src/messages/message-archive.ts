import { Injectable } from '@nestjs/common';
import {
  ConversationCreatedData,
  ConversationMessagesQuery,
  MessageView,
  Page,
  StoredMessageData,
} from '@parley/contracts';
import { QueryRejected } from '@parley/jetstream';
import { DataSource } from 'typeorm';

interface MessageRow {
  id: string;
  conversation_id: string;
  seq: number;
  author_id: string;
  author_role: string;
  type: 'message' | 'note';
  body: string;
  created_at: Date;
}

function toView(row: MessageRow): MessageView {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    seq: row.seq,
    authorId: row.author_id,
    authorRole: row.author_role,
    type: row.type,
    body: row.body,
    createdAt: row.created_at.toISOString(),
  };
}

/** Messages and notes as stored, and the pages of a conversation's history. */
@Injectable()
export class MessageArchive {
  constructor(private readonly db: DataSource) {}

  /** Idempotent: a conversation seen again changes nothing. */
  async recordConversations(conversations: ConversationCreatedData[]): Promise<void> {
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

  /**
   * Stores a batch of messages with one multi-row insert and clears their `accepted` records, in
   * one statement (atomic without a transaction's extra round trips). Idempotent: a redelivered
   * message finds itself stored and changes nothing.
   */
  async store(messages: Array<{ message: StoredMessageData; customerId?: string }>): Promise<void> {
    const column = <T>(pick: (m: StoredMessageData, customerId: string | null) => T) =>
      messages.map(({ message, customerId }) => pick(message, customerId ?? null));
    await this.db.query(
      `WITH stored AS (
         INSERT INTO history.messages (id, conversation_id, customer_id, seq, author_id, author_role, type, body, created_at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[], $9::timestamptz[])
         ON CONFLICT (id) DO NOTHING
       )
       DELETE FROM history.accepted_messages WHERE id = ANY($1::text[])`,
      [
        column((m) => m.messageId),
        column((m) => m.conversationId),
        column((_, customerId) => customerId),
        column((m) => m.seq),
        column((m) => m.authorId),
        column((m) => m.authorRole),
        column((m) => m.type),
        column((m) => m.body),
        column((m) => m.createdAt),
      ],
    );
  }

  /**
   * Keyset pages on (conversation_id, seq): `after` reads forwards, `before` backwards; either way
   * items are in ascending seq and nextCursor is the seq to continue from in the same direction.
   */
  async page(q: ConversationMessagesQuery): Promise<Page<MessageView>> {
    const [conversation] = await this.db.query(
      'SELECT customer_id FROM history.conversations WHERE id = $1',
      [q.conversationId],
    );
    const visible =
      conversation && (q.principal.role !== 'customer' || conversation.customer_id === q.principal.id);
    if (!visible)
      throw new QueryRejected(404, 'Not found', `Conversation ${q.conversationId} was not found.`);

    const backwards = q.before !== undefined;
    const params: unknown[] = [q.conversationId, backwards ? q.before : (q.after ?? 0), q.limit + 1];
    const rows: MessageRow[] = await this.db.query(
      `SELECT id, conversation_id, seq, author_id, author_role, type, body, created_at
         FROM history.messages
        WHERE conversation_id = $1 AND seq ${backwards ? '<' : '>'} $2
          ${q.principal.role === 'customer' ? "AND type = 'message'" : ''}
        ORDER BY seq ${backwards ? 'DESC' : 'ASC'}
        LIMIT $3`,
      params,
    );
    const more = rows.length > q.limit;
    const items = rows.slice(0, q.limit);
    if (backwards) items.reverse();
    const edge = backwards ? items[0] : items[items.length - 1];
    return { items: items.map(toView), nextCursor: more && edge ? String(edge.seq) : null };
  }
}
