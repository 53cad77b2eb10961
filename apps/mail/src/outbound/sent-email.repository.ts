import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { EmailContent, OutboundEmail } from './outbound-email';

export type SentEmailStatus = 'queued' | 'claimed' | 'sending' | 'sent' | 'in_doubt' | 'failed';

export interface ClaimedEmail {
  messageId: string;
  claim: string;
  toAddress: string;
  attempts: number;
  content: EmailContent;
}

interface ClaimedRow {
  message_id: string;
  claim: string;
  to_address: string;
  attempts: number;
  content: EmailContent;
}

/** Claimed but not handed over for this long: its process is gone (every SMTP step has a timeout). */
const STALE_CLAIM = '5 minutes';
/** Handed over for this long without an answer recorded: its process died mid-send. */
const STALE_SENDING = '5 minutes';

/**
 * The ledger of every email, keyed by its Message-ID (docs/adr/0011-mail-at-most-once.md):
 * `queued` → `claimed` (one process took it) → `sending` (the message is being handed over) →
 * `sent`; or back to `queued` for a retry, or `failed`; or `in_doubt` when nobody knows whether the
 * server took it, which is never sent again. Every change after the claim names the claim, so a
 * process that lost its claim changes nothing.
 */
@Injectable()
export class SentEmailRepository {
  constructor(private readonly db: DataSource) {}

  /** Queues an email unless one with its Message-ID exists: whether it was queued now. */
  async enqueue(email: OutboundEmail, manager: EntityManager = this.db.manager): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO mail.sent_emails (message_id, kind, conversation_id, recipient_id, to_address, content)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (message_id) DO NOTHING RETURNING message_id`,
      [
        email.messageId,
        email.kind,
        email.conversationId,
        email.recipientId,
        email.content.to.address,
        email.content,
      ],
    );
    return rows.length === 1;
  }

  /** Takes the next email due, if any, for this process alone (another process skips it). */
  async claimNext(claim: string): Promise<ClaimedEmail | undefined> {
    // An UPDATE answers [rows, count] through TypeORM.
    const [rows] = (await this.db.query(
      `UPDATE mail.sent_emails e SET status = 'claimed', claim = $1, claimed_at = now(), attempts = e.attempts + 1
        WHERE e.message_id = (
          SELECT message_id FROM mail.sent_emails
           WHERE (status = 'queued' AND next_attempt_at <= now())
              OR (status = 'claimed' AND claimed_at < now() - interval '${STALE_CLAIM}')
           ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING e.message_id, e.claim, e.to_address, e.attempts, e.content`,
      [claim],
    )) as [ClaimedRow[], number];
    const [row] = rows;
    return (
      row && {
        messageId: row.message_id,
        claim: row.claim,
        toAddress: row.to_address,
        attempts: row.attempts,
        content: row.content,
      }
    );
  }

  /** Recorded (committed) before the message leaves: from here on it is never sent again. */
  async markSending(email: ClaimedEmail): Promise<void> {
    const [, affected] = (await this.db.query(
      `UPDATE mail.sent_emails SET status = 'sending', claimed_at = now()
        WHERE message_id = $1 AND claim = $2 AND status = 'claimed'`,
      [email.messageId, email.claim],
    )) as [unknown, number];
    if (affected !== 1) throw new Error(`email ${email.messageId} was claimed by another process`);
  }

  async markSent(email: ClaimedEmail, response: string): Promise<void> {
    await this.finish(email, 'sent', response);
  }

  async markInDoubt(email: ClaimedEmail, error: string): Promise<void> {
    await this.finish(email, 'in_doubt', error);
  }

  async markFailed(email: ClaimedEmail, error: string): Promise<void> {
    await this.finish(email, 'failed', error);
  }

  /** Nothing of it left: it goes again after `delaySeconds`. */
  async retryLater(email: ClaimedEmail, delaySeconds: number, error: string): Promise<void> {
    await this.db.query(
      `UPDATE mail.sent_emails
          SET status = 'queued', claim = NULL, last_error = $3, next_attempt_at = now() + make_interval(secs => $4)
        WHERE message_id = $1 AND claim = $2`,
      [email.messageId, email.claim, error, delaySeconds],
    );
  }

  /** Emails whose process died while handing them over: in doubt from now on, never resent. */
  async settleAbandoned(): Promise<string[]> {
    const [rows] = (await this.db.query(
      `UPDATE mail.sent_emails SET status = 'in_doubt', last_error = 'the sending process stopped mid-send'
        WHERE status = 'sending' AND claimed_at < now() - interval '${STALE_SENDING}'
        RETURNING message_id`,
    )) as [Array<{ message_id: string }>, number];
    return rows.map((r) => r.message_id);
  }

  private async finish(email: ClaimedEmail, status: SentEmailStatus, note: string): Promise<void> {
    await this.db.query(
      `UPDATE mail.sent_emails SET status = $3, last_error = $4, sent_at = CASE WHEN $3 = 'sent' THEN now() END
        WHERE message_id = $1 AND claim = $2`,
      [email.messageId, email.claim, status, note],
    );
  }
}
