import { Injectable } from '@nestjs/common';
import { ConversationCreatedData, StoredMessageData } from '@parley/contracts';
import { EntityManager } from 'typeorm';

export type NotificationKind = 'reply' | 'rating';

export interface MailConversation {
  id: string;
  customerId: string;
  siteId: string | null;
  subject: string | null;
  status: string;
  assigneeId: string | null;
  customerReadSeq: number;
}

export interface Reply {
  seq: number;
  authorId: string;
  body: string;
  createdAt: Date;
}

export interface DueNotification {
  conversationId: string;
  kind: NotificationKind;
  reference: string;
}

const CONVERSATION_COLUMNS = `id, customer_id AS "customerId", site_id AS "siteId", subject, status,
  assignee_id AS "assigneeId", customer_read_seq AS "customerReadSeq"`;

/** Conversations as mail follows them, agents' replies the customer may not have read, and waiting emails. */
@Injectable()
export class NotificationRepository {
  async saveConversation(
    m: EntityManager,
    data: ConversationCreatedData,
    assigneeId: string | null,
  ): Promise<void> {
    await m.query(
      `INSERT INTO mail.conversations (id, customer_id, site_id, subject, status, assignee_id, queued_since, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $6::text IS NULL THEN $7::timestamptz END, $7)
       ON CONFLICT (id) DO NOTHING`,
      [
        data.conversationId,
        data.customerId,
        data.siteId ?? null,
        data.subject,
        data.status,
        assigneeId,
        data.createdAt,
      ],
    );
  }

  async conversation(m: EntityManager, id: string): Promise<MailConversation | undefined> {
    const [row] = (await m.query(`SELECT ${CONVERSATION_COLUMNS} FROM mail.conversations WHERE id = $1`, [
      id,
    ])) as MailConversation[];
    return row;
  }

  /** An open conversation without an assignee waits in the queue from `at` on. */
  async assign(m: EntityManager, id: string, assigneeId: string | null, at: string): Promise<void> {
    await m.query(
      `UPDATE mail.conversations SET assignee_id = $2,
         queued_since = CASE WHEN $2::text IS NULL AND status = 'open' THEN COALESCE(queued_since, $3::timestamptz) END
        WHERE id = $1`,
      [id, assigneeId, at],
    );
  }

  async setStatus(m: EntityManager, id: string, status: string, at: string): Promise<void> {
    await m.query(
      `UPDATE mail.conversations SET status = $2,
         queued_since = CASE WHEN assignee_id IS NULL AND $2 = 'open' THEN COALESCE(queued_since, $3::timestamptz) END
        WHERE id = $1`,
      [id, status, at],
    );
  }

  /** Whether the reply was new here (a redelivered event adds nothing). */
  async addReply(m: EntityManager, data: StoredMessageData): Promise<boolean> {
    const rows = (await m.query(
      `INSERT INTO mail.replies (conversation_id, seq, message_id, author_id, body, created_at)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING seq`,
      [data.conversationId, data.seq, data.messageId, data.authorId, data.body, data.createdAt],
    )) as unknown[];
    return rows.length === 1;
  }

  async markRead(m: EntityManager, id: string, seq: number): Promise<void> {
    await m.query(
      'UPDATE mail.conversations SET customer_read_seq = GREATEST(customer_read_seq, $2) WHERE id = $1',
      [id, seq],
    );
  }

  /** The replies the customer has neither read nor been emailed, oldest first. */
  async unreadReplies(m: EntityManager, conversation: MailConversation): Promise<Reply[]> {
    return (await m.query(
      `SELECT seq, author_id AS "authorId", body, created_at AS "createdAt" FROM mail.replies
        WHERE conversation_id = $1 AND seq > $2 AND notified_in IS NULL ORDER BY seq`,
      [conversation.id, conversation.customerReadSeq],
    )) as Reply[];
  }

  async markNotified(
    m: EntityManager,
    conversationId: string,
    seqs: number[],
    messageId: string,
  ): Promise<void> {
    await m.query(
      'UPDATE mail.replies SET notified_in = $3 WHERE conversation_id = $1 AND seq = ANY($2::int[])',
      [conversationId, seqs, messageId],
    );
  }

  /** Waits for `dueAt` unless one of its kind already waits (a later reply joins the earlier email). */
  async schedule(m: EntityManager, due: DueNotification, dueAt: Date): Promise<void> {
    await m.query(
      `INSERT INTO mail.notifications (conversation_id, kind, due_at, reference) VALUES ($1, $2, $3, $4)
       ON CONFLICT (conversation_id, kind) DO NOTHING`,
      [due.conversationId, due.kind, dueAt, due.reference],
    );
  }

  async reschedule(
    m: EntityManager,
    conversationId: string,
    kind: NotificationKind,
    dueAt: Date,
  ): Promise<void> {
    await m.query('UPDATE mail.notifications SET due_at = $3 WHERE conversation_id = $1 AND kind = $2', [
      conversationId,
      kind,
      dueAt,
    ]);
  }

  async cancel(m: EntityManager, conversationId: string, kind: NotificationKind): Promise<void> {
    await m.query('DELETE FROM mail.notifications WHERE conversation_id = $1 AND kind = $2', [
      conversationId,
      kind,
    ]);
  }

  /** Due notifications, each locked for this transaction; another process skips them. */
  async claimDue(m: EntityManager, limit: number): Promise<DueNotification[]> {
    return (await m.query(
      `SELECT conversation_id AS "conversationId", kind, reference FROM mail.notifications
        WHERE due_at <= now() ORDER BY due_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    )) as DueNotification[];
  }

  /** The Message-IDs of the conversation's earlier emails, oldest first, for threading. */
  async earlierEmails(m: EntityManager, conversationId: string): Promise<string[]> {
    const rows = (await m.query(
      `SELECT message_id FROM mail.sent_emails WHERE conversation_id = $1 AND kind = 'notification'
        ORDER BY created_at, message_id`,
      [conversationId],
    )) as Array<{ message_id: string }>;
    return rows.map((r) => r.message_id);
  }
}
