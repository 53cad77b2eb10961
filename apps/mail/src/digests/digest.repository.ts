import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

export interface DueDigest {
  agentId: string;
  name: string | null;
  email: string | null;
  digestEnabled: boolean;
  /** When this digest came due: its Message-ID, the same whichever process composes it. */
  dueAt: Date;
}

export interface DigestConversation {
  id: string;
  subject: string | null;
  status: string;
  customerName: string | null;
  waitingSince: Date | null;
}

/** Offline agents' digests: who is due, and what each lists. */
@Injectable()
export class DigestRepository {
  /** Offline agents whose digest is due, each locked for this transaction; another process skips them. */
  async claimDue(m: EntityManager, limit: number): Promise<DueDigest[]> {
    return (await m.query(
      `SELECT id AS "agentId", name, email, digest_enabled AS "digestEnabled", next_digest_at AS "dueAt"
         FROM mail.agents WHERE presence = 'offline' AND next_digest_at <= now()
        ORDER BY next_digest_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    )) as DueDigest[];
  }

  /** The next digest one interval from now: after a downtime, one digest, not one per missed interval. */
  async next(m: EntityManager, agentId: string, intervalSeconds: number): Promise<void> {
    await m.query(`UPDATE mail.agents SET next_digest_at = now() + make_interval(secs => $2) WHERE id = $1`, [
      agentId,
      intervalSeconds,
    ]);
  }

  /** The agent's conversations still to answer, oldest first. */
  async assigned(m: EntityManager, agentId: string): Promise<DigestConversation[]> {
    return (await m.query(
      `SELECT c.id, c.subject, c.status, cu.name AS "customerName", NULL AS "waitingSince"
         FROM mail.conversations c LEFT JOIN mail.customers cu ON cu.id = c.customer_id
        WHERE c.assignee_id = $1 AND c.status IN ('open', 'pending') ORDER BY c.created_at LIMIT 50`,
      [agentId],
    )) as DigestConversation[];
  }

  /** Conversations waiting in the queue for longer than `thresholdSeconds`, longest first. */
  async waiting(m: EntityManager, thresholdSeconds: number): Promise<DigestConversation[]> {
    return (await m.query(
      `SELECT c.id, c.subject, c.status, cu.name AS "customerName", c.queued_since AS "waitingSince"
         FROM mail.conversations c LEFT JOIN mail.customers cu ON cu.id = c.customer_id
        WHERE c.queued_since < now() - make_interval(secs => $1) ORDER BY c.queued_since LIMIT 50`,
      [thresholdSeconds],
    )) as DigestConversation[];
  }
}
