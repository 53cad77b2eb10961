import { Injectable } from '@nestjs/common';
import {
  AttachmentRef,
  Issuer,
  MessageStatusView,
  MessageView,
  MessageRejectedData,
  MessageVia,
  StoredMessageData,
} from '@parley/contracts';
import { DataSource } from 'typeorm';

/** A message whose command history has seen but whose outcome it has not. */
export interface AcceptedMessage {
  id: string;
  conversationId: string;
  author: Issuer;
  type: MessageView['type'];
  body: string;
  acceptedAt: string;
  via: MessageVia;
}

/** The columns every view of a message shows; a message not stored yet has no seq, nor always a body. */
export interface MessageRow {
  id: string;
  conversation_id: string;
  seq: number | null;
  author_id: string;
  author_role: string;
  type: MessageView['type'];
  body: string | null;
  created_at: Date;
  via: MessageVia;
  attachments: AttachmentRef[] | null;
}

/** A row of `history.messages`. */
export interface StoredMessageRow extends MessageRow {
  seq: number;
  body: string;
}

interface StatusRow extends MessageRow {
  status: MessageStatusView['status'];
  reason: string | null;
}

/**
 * The fields every view of a message shares: a MessageView's, as the status view types them. A field
 * added to MessageView and not to MessageStatusView fails to compile here.
 */
export type MessageFields = { [K in keyof MessageView]: MessageStatusView[K] };

/** The one row→view mapper of a message: a field added to MessageView fails to compile until mapped. */
export function toMessageView(row: StoredMessageRow): MessageView;
export function toMessageView(row: MessageRow): MessageFields;
export function toMessageView(row: MessageRow): MessageFields {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    seq: row.seq,
    authorId: row.author_id,
    authorRole: row.author_role,
    type: row.type,
    body: row.body,
    createdAt: row.created_at.toISOString(),
    via: row.via,
    ...(row.attachments?.length ? { attachments: row.attachments } : {}),
  };
}

/** Where to read a conversation's messages from, and which. */
export interface ConversationSlice {
  /** The seq to start past (exclusive). */
  from: number;
  /** Descending seq from `from`, instead of ascending. */
  backwards: boolean;
  take: number;
  /** Whether notes are included, or only messages. */
  notes: boolean;
}

/**
 * Messages and notes as stored, with the status of those not stored yet: `accepted` once their
 * command is seen, `rejected` with the reason.
 */
@Injectable()
export class MessageRepository {
  constructor(private readonly db: DataSource) {}

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
         INSERT INTO history.messages (id, conversation_id, customer_id, seq, author_id, author_role, type, body, created_at, via,
                                       attachments, attachment_names)
         SELECT m.* FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[], $9::timestamptz[],
                              $10::text[], $11::jsonb[], $12::text[])
                AS m (id, conversation_id, customer_id, seq, author_id, author_role, type, body, created_at, via,
                      attachments, attachment_names)
          WHERE NOT EXISTS (SELECT 1 FROM history.erased_conversations e WHERE e.conversation_id = m.conversation_id)
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
        column((m) => m.via ?? 'api'),
        column((m) => (m.attachments?.length ? JSON.stringify(m.attachments) : null)),
        column((m) => (m.attachments?.length ? m.attachments.map((a) => a.name).join(' ') : null)),
      ],
    );
  }

  /** Commands can be read after their outcome: only an unresolved message is recorded as accepted. */
  async recordAccepted(accepted: AcceptedMessage[]): Promise<void> {
    const column = <T>(pick: (m: AcceptedMessage) => T) => accepted.map(pick);
    await this.db.query(
      `INSERT INTO history.accepted_messages (id, conversation_id, author_id, author_role, type, body, accepted_at, via)
       SELECT a.* FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::text[])
                AS a (id, conversation_id, author_id, author_role, type, body, accepted_at, via)
        WHERE NOT EXISTS (SELECT 1 FROM history.messages m WHERE m.id = a.id)
          AND NOT EXISTS (SELECT 1 FROM history.rejected_messages r WHERE r.id = a.id)
          -- A command read after its conversation was erased (the command stream is another
          -- partitioning than the events') is not kept.
          AND NOT EXISTS (SELECT 1 FROM history.erased_conversations e WHERE e.conversation_id = a.conversation_id)
       ON CONFLICT (id) DO NOTHING`,
      [
        column((m) => m.id),
        column((m) => m.conversationId),
        column((m) => m.author.id),
        column((m) => m.author.role),
        column((m) => m.type),
        column((m) => m.body),
        column((m) => m.acceptedAt),
        column((m) => m.via),
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

  /** A keyset slice on (conversation_id, seq), in the order it was read. */
  async inConversation(conversationId: string, slice: ConversationSlice): Promise<MessageView[]> {
    const rows: StoredMessageRow[] = await this.db.query(
      `SELECT id, conversation_id, seq, author_id, author_role, type, body, created_at, via, attachments
         FROM history.messages
        WHERE conversation_id = $1 AND seq ${slice.backwards ? '<' : '>'} $2
          ${slice.notes ? '' : "AND type = 'message'"}
        ORDER BY seq ${slice.backwards ? 'DESC' : 'ASC'}
        LIMIT $3`,
      [conversationId, slice.from, slice.take],
    );
    return rows.map((row) => toMessageView(row));
  }

  /** Where a message stands, or undefined when history has seen neither its command nor an outcome. */
  async statusOf(messageId: string): Promise<Omit<MessageStatusView, 'receipts'> | undefined> {
    const [row]: StatusRow[] = await this.db.query(
      `SELECT id, conversation_id, seq, author_id, author_role, type, body, created_at, via, attachments, 'stored' AS status, NULL AS reason
         FROM history.messages WHERE id = $1
       UNION ALL
       SELECT r.id, r.conversation_id, NULL, r.author_id, COALESCE(a.author_role, 'customer'), COALESCE(a.type, 'message'),
              a.body, COALESCE(a.accepted_at, r.rejected_at), COALESCE(a.via, 'api'), NULL::jsonb, 'rejected', r.reason
         FROM history.rejected_messages r LEFT JOIN history.accepted_messages a ON a.id = r.id WHERE r.id = $1
       UNION ALL
       SELECT id, conversation_id, NULL, author_id, author_role, type, body, accepted_at, via, NULL, 'accepted', NULL
         FROM history.accepted_messages WHERE id = $1
       ORDER BY status DESC LIMIT 1`,
      [messageId],
    );
    return (
      row && { ...toMessageView(row), status: row.status, ...(row.reason ? { rejection: row.reason } : {}) }
    );
  }
}
