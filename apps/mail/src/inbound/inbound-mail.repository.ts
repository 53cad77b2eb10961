import { Injectable } from '@nestjs/common';
import { CursorQuery, Page, ReceiveMail, UnmatchedMailReason, UnmatchedMailView } from '@parley/contracts';
import { QueryRejected } from '@parley/jetstream';
import { DataSource } from 'typeorm';

/** What became of an email: the conversation it was posted to, or why it could not be. */
export type MailOutcome =
  | { status: 'matched'; conversationId: string }
  | { status: 'unmatched'; reason: UnmatchedMailReason; conversationId?: string };

/** How much of an unmatched email's text its list shows. */
const EXCERPT_LENGTH = 500;

interface UnmatchedRow {
  id: string;
  message_id: string;
  source: string;
  from_address: string;
  to_addresses: string[];
  subject: string;
  reason: UnmatchedMailReason;
  excerpt: string;
  received_at: Date;
}

/** `mail.inbound_mail`: every email that came in for the reply domain, and what became of it. */
@Injectable()
export class InboundMailRepository {
  constructor(private readonly db: DataSource) {}

  /** Whether this email (by its Message-ID) was handled already. */
  async isKnown(messageId: string): Promise<boolean> {
    const rows = await this.db.query('SELECT 1 FROM mail.inbound_mail WHERE message_id = $1', [messageId]);
    return rows.length > 0;
  }

  /** The customer's email address as the mail service knows it; undefined when it knows none. */
  async customerEmail(customerId: string): Promise<string | undefined> {
    const [row]: Array<{ email: string | null }> = await this.db.query(
      'SELECT email FROM mail.customers WHERE id = $1',
      [customerId],
    );
    return row?.email ?? undefined;
  }

  /** Records the email and its outcome; a second record of the same email changes nothing. */
  async record(mail: ReceiveMail, outcome: MailOutcome): Promise<void> {
    await this.db.query(
      `INSERT INTO mail.inbound_mail
         (id, message_id, source, from_address, to_addresses, subject, text, status, reason, conversation_id, received_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT DO NOTHING`,
      [
        mail.id,
        mail.messageId,
        mail.source,
        mail.from,
        mail.to,
        mail.subject,
        mail.text,
        outcome.status,
        outcome.status === 'unmatched' ? outcome.reason : null,
        outcome.conversationId ?? null,
        mail.receivedAt,
      ],
    );
  }

  /** Unmatched emails, newest first, keyset-paged on (received_at, id). */
  async unmatched(q: CursorQuery): Promise<Page<UnmatchedMailView>> {
    const params: unknown[] = [q.limit + 1, EXCERPT_LENGTH];
    let after = '';
    if (q.cursor) {
      params.push(...decodeCursor(q.cursor));
      after = 'AND (received_at, id) < ($3::timestamptz, $4)';
    }
    const rows: UnmatchedRow[] = await this.db.query(
      `SELECT id, message_id, source, from_address, to_addresses, subject, reason, left(text, $2) AS excerpt, received_at
         FROM mail.inbound_mail
        WHERE status = 'unmatched' ${after}
        ORDER BY received_at DESC, id DESC
        LIMIT $1`,
      params,
    );
    const items = rows.slice(0, q.limit);
    const last = items[items.length - 1];
    return {
      items: items.map(toView),
      nextCursor: rows.length > q.limit && last ? encodeCursor(last.received_at, last.id) : null,
    };
  }
}

function toView(row: UnmatchedRow): UnmatchedMailView {
  return {
    id: row.id,
    messageId: row.message_id,
    source: row.source,
    from: row.from_address,
    to: row.to_addresses,
    subject: row.subject,
    reason: row.reason,
    excerpt: row.excerpt,
    receivedAt: row.received_at.toISOString(),
  };
}

function encodeCursor(receivedAt: Date, id: string): string {
  return Buffer.from(JSON.stringify([receivedAt.toISOString(), id])).toString('base64url');
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof at === 'string' && !Number.isNaN(Date.parse(at)) && typeof id === 'string' && id.length <= 64)
      return [at, id];
  } catch {
    // answered by the 400 below
  }
  throw new QueryRejected(400, 'Invalid cursor', 'The cursor was not issued by this list.');
}
