import { Injectable } from '@nestjs/common';
import { ConversationMessagesQuery, MessageView, Page, StoredMessageData } from '@parley/contracts';
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

  async recordConversation(id: string, customerId: string, createdAt: string): Promise<void> {
    await this.db.query(
      'INSERT INTO history.conversations (id, customer_id, created_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING',
      [id, customerId, createdAt],
    );
  }

  /** Idempotent: a redelivered event finds its message already stored and changes nothing. */
  async store(m: StoredMessageData, customerId: string | undefined): Promise<void> {
    await this.db.transaction(async (em) => {
      await em.query(
        `INSERT INTO history.messages (id, conversation_id, customer_id, seq, author_id, author_role, type, body, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING`,
        [
          m.messageId,
          m.conversationId,
          customerId ?? null,
          m.seq,
          m.authorId,
          m.authorRole,
          m.type,
          m.body,
          m.createdAt,
        ],
      );
      await em.query('DELETE FROM history.accepted_messages WHERE id = $1', [m.messageId]);
    });
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
