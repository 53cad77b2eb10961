import type { RetentionPolicyView, SetRetentionPolicy } from '@parley/contracts';
import type { Sql } from '../sql';

/** The one schedule row every process of the service shares. */
const SCHEDULE = 'retention';

/** A site's policy as the run reads it. */
export interface SitePolicy {
  siteId: string;
  resolvedConversationDays: number | null;
  attachmentDays: number | null;
  /** When an admin asked for a run now; null when nobody did since the last run. */
  runRequestedAt: Date | null;
}

/** What a policy removes at a moment: conversations resolved, attachments taken, before these. */
export interface RetentionCutoffs {
  resolvedBefore: Date | null;
  takenBefore: Date | null;
}

export interface ExpiredConversation {
  id: string;
  resolvedAt: Date;
}

export interface ExpiredAttachment {
  id: string;
  conversationId: string;
  takenAt: Date;
}

/** Where a page of a selection ends: the next page starts after it. */
export interface Keyset {
  at: Date;
  id: string;
}

const DAY_MS = 24 * 3600_000;

/** The moments before which a policy removes things, measured at `now`; null: keep forever. */
export function cutoffsOf(
  policy: Pick<SitePolicy, 'resolvedConversationDays' | 'attachmentDays'>,
  now: Date,
): RetentionCutoffs {
  const before = (days: number | null) => (days === null ? null : new Date(now.getTime() - days * DAY_MS));
  return {
    resolvedBefore: before(policy.resolvedConversationDays),
    takenBefore: before(policy.attachmentDays),
  };
}

interface PolicyRow {
  site_id: string;
  resolved_conversation_days: number | null;
  attachment_days: number | null;
  updated_at: Date | null;
  run_requested_at: Date | null;
  last_run_at: Date | null;
  last_run_conversations: number | null;
  last_run_attachments: number | null;
}

const sitePolicy = (row: PolicyRow): SitePolicy => ({
  siteId: row.site_id,
  resolvedConversationDays: row.resolved_conversation_days,
  attachmentDays: row.attachment_days,
  runRequestedAt: row.run_requested_at,
});

/**
 * Sites' retention policies, the shared schedule, and the selection of what a policy removes. The
 * selection is one pair of statements (`expiredConversations`, `expiredAttachments`) that both the
 * run and the preview call, so what the preview lists is what the run removes.
 */
export class RetentionRepository {
  constructor(private readonly sql: Sql) {}

  /** Replaces the site's policy; false when there is no such site. */
  async setPolicy(cmd: SetRetentionPolicy): Promise<boolean> {
    const set: unknown[] = await this.sql.query(
      `INSERT INTO conversation.retention_policies AS p (site_id, resolved_conversation_days, attachment_days, updated_at)
       SELECT s.id, $2, $3, $4 FROM conversation.sites s WHERE s.id = $1
       ON CONFLICT (site_id) DO UPDATE SET resolved_conversation_days = EXCLUDED.resolved_conversation_days,
         attachment_days = EXCLUDED.attachment_days, updated_at = EXCLUDED.updated_at
       RETURNING site_id`,
      [cmd.siteId, cmd.resolvedConversationDays, cmd.attachmentDays, cmd.acceptedAt],
    );
    return set.length > 0;
  }

  /** Asks the schedule to run the site's policy at its next look; false when there is no such site. */
  async requestRun(siteId: string, at: string): Promise<boolean> {
    const requested: unknown[] = await this.sql.query(
      `INSERT INTO conversation.retention_policies AS p (site_id, run_requested_at)
       SELECT s.id, $2 FROM conversation.sites s WHERE s.id = $1
       ON CONFLICT (site_id) DO UPDATE SET run_requested_at = EXCLUDED.run_requested_at
       RETURNING site_id`,
      [siteId, at],
    );
    return requested.length > 0;
  }

  /** The site's policy and runs; undefined when there is no such site. */
  async policy(siteId: string): Promise<RetentionPolicyView | undefined> {
    const [row]: Array<PolicyRow & { site: string; next_run_at: Date | null }> = await this.sql.query(
      `SELECT s.id AS site, p.*, (SELECT next_run_at FROM conversation.retention_schedule WHERE id = $2) AS next_run_at
         FROM conversation.sites s LEFT JOIN conversation.retention_policies p ON p.site_id = s.id
        WHERE s.id = $1`,
      [siteId, SCHEDULE],
    );
    if (!row) return undefined;
    return {
      siteId: row.site,
      resolvedConversationDays: row.resolved_conversation_days ?? null,
      attachmentDays: row.attachment_days ?? null,
      updatedAt: row.updated_at?.toISOString() ?? null,
      lastRunAt: row.last_run_at?.toISOString() ?? null,
      lastRun:
        row.last_run_at === null || row.last_run_at === undefined
          ? null
          : { conversations: row.last_run_conversations ?? 0, attachments: row.last_run_attachments ?? 0 },
      nextRunAt: row.next_run_at?.toISOString() ?? null,
    };
  }

  /** The site's policy as the run reads it; undefined when there is no such site. */
  async sitePolicy(siteId: string): Promise<SitePolicy | undefined> {
    const [row]: Array<PolicyRow & { site: string }> = await this.sql.query(
      `SELECT s.id AS site, p.* FROM conversation.sites s
         LEFT JOIN conversation.retention_policies p ON p.site_id = s.id WHERE s.id = $1`,
      [siteId],
    );
    return row && sitePolicy({ ...row, site_id: row.site });
  }

  /**
   * The sites a run goes through: with `scheduled`, every site whose policy removes anything;
   * always, those an admin asked a run of.
   */
  async sitesToRun(scheduled: boolean): Promise<SitePolicy[]> {
    const rows: PolicyRow[] = await this.sql.query(
      `SELECT * FROM conversation.retention_policies
        WHERE run_requested_at IS NOT NULL
           OR ($1 AND (resolved_conversation_days IS NOT NULL OR attachment_days IS NOT NULL))
        ORDER BY site_id`,
      [scheduled],
    );
    return rows.map(sitePolicy);
  }

  /**
   * The site's resolved conversations whose resolution is before `resolvedBefore`, oldest first,
   * after `after`: the selection the run removes and the preview lists.
   */
  async expiredConversations(
    siteId: string,
    resolvedBefore: Date,
    after: Keyset | null,
    limit: number,
  ): Promise<ExpiredConversation[]> {
    return this.sql.query(
      `SELECT c.id, c.resolved_at AS "resolvedAt" FROM conversation.conversations c
        WHERE c.site_id = $1 AND c.status = 'resolved' AND c.resolved_at < $2
          AND ($3::timestamptz IS NULL OR (c.resolved_at, c.id) > ($3::timestamptz, $4::text))
        ORDER BY c.resolved_at, c.id LIMIT $5`,
      [siteId, resolvedBefore, after?.at ?? null, after?.id ?? null, limit],
    );
  }

  /**
   * The site's attachments a message took before `takenBefore` and that have not expired yet,
   * oldest first, after `after`; without those of conversations resolved before `resolvedBefore`,
   * which go with their conversation.
   */
  async expiredAttachments(
    siteId: string,
    { takenBefore, resolvedBefore }: { takenBefore: Date; resolvedBefore: Date | null },
    after: Keyset | null,
    limit: number,
  ): Promise<ExpiredAttachment[]> {
    return this.sql.query(
      `SELECT a.id, a.conversation_id AS "conversationId", a.recorded_at AS "takenAt"
         FROM conversation.attachments a JOIN conversation.conversations c ON c.id = a.conversation_id
        WHERE c.site_id = $1 AND a.message_id IS NOT NULL AND a.expired_at IS NULL AND a.recorded_at < $2
          AND NOT (c.status = 'resolved' AND (c.resolved_at < $3::timestamptz) IS TRUE)
          AND ($4::timestamptz IS NULL OR (a.recorded_at, a.id) > ($4::timestamptz, $5::text))
        ORDER BY a.recorded_at, a.id LIMIT $6`,
      [siteId, takenBefore, resolvedBefore, after?.at ?? null, after?.id ?? null, limit],
    );
  }

  /**
   * Records that a run went through the site's policy; a run requested meanwhile (after
   * `requestedAt`, which the run started from) stays requested.
   */
  async recordSiteRun(
    siteId: string,
    at: Date,
    removed: { conversations: number; attachments: number },
    requestedAt: Date | null,
  ): Promise<void> {
    await this.sql.query(
      `UPDATE conversation.retention_policies
          SET last_run_at = $2, last_run_conversations = $3, last_run_attachments = $4,
              run_requested_at = CASE WHEN run_requested_at <= $5 THEN NULL ELSE run_requested_at END
        WHERE site_id = $1`,
      [siteId, at, removed.conversations, removed.attachments, requestedAt],
    );
  }

  /**
   * What is due at `now`, in one cheap statement: the scheduled run (also before the first, when
   * there is no schedule yet), and whether an admin asked for a run of some site.
   */
  async due(now: Date): Promise<{ scheduled: boolean; requested: boolean }> {
    const [row]: Array<{ scheduled: boolean; requested: boolean }> = await this.sql.query(
      `SELECT COALESCE((SELECT next_run_at <= $2 FROM conversation.retention_schedule WHERE id = $1), true) AS scheduled,
              EXISTS (SELECT FROM conversation.retention_policies WHERE run_requested_at IS NOT NULL) AS requested`,
      [SCHEDULE, now],
    );
    return row;
  }

  /** Records the scheduled run as done at `at`, the next one at `next`. */
  async recordScheduledRun(at: Date, next: Date): Promise<void> {
    await this.sql.query(
      `INSERT INTO conversation.retention_schedule (id, last_run_at, next_run_at) VALUES ($1, $2, $3)
       ON CONFLICT (id) DO UPDATE SET last_run_at = EXCLUDED.last_run_at, next_run_at = EXCLUDED.next_run_at`,
      [SCHEDULE, at, next],
    );
  }

  /** The attachments of the conversation that still have their object: deleted with it. */
  async keptAttachments(conversationId: string): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.sql.query(
      `SELECT id FROM conversation.attachments
        WHERE conversation_id = $1 AND message_id IS NOT NULL AND expired_at IS NULL`,
      [conversationId],
    );
    return rows.map((row) => row.id);
  }

  /**
   * Removes the conversation and everything this service holds for it: its entries, read
   * horizons, rating and attachment references, and the row itself.
   */
  async removeConversation(conversationId: string): Promise<void> {
    await this.sql.query(
      `WITH entries AS (DELETE FROM conversation.conversation_entries WHERE conversation_id = $1),
            horizons AS (DELETE FROM conversation.read_horizons WHERE conversation_id = $1),
            ratings AS (DELETE FROM conversation.ratings WHERE conversation_id = $1),
            attachments AS (DELETE FROM conversation.attachments WHERE conversation_id = $1)
       SELECT 1`,
      [conversationId],
    );
    // Its own statement: the entries reference the row, and a statement's deletes see one snapshot.
    await this.sql.query('DELETE FROM conversation.conversations WHERE id = $1', [conversationId]);
  }

  /**
   * Marks these attachments of the conversation expired, those a message took before
   * `takenBefore` and not expired yet; answers them.
   */
  async expireAttachments(
    conversationId: string,
    attachmentIds: string[],
    takenBefore: string,
  ): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.sql.query(
      // In a WITH: TypeORM answers an UPDATE's rows with the count beside them, a SELECT's alone.
      `WITH expired AS (
         UPDATE conversation.attachments SET expired_at = now()
          WHERE conversation_id = $1 AND id = ANY($2::text[]) AND message_id IS NOT NULL
            AND expired_at IS NULL AND recorded_at < $3
          RETURNING id)
       SELECT id FROM expired ORDER BY id`,
      [conversationId, attachmentIds, takenBefore],
    );
    return rows.map((row) => row.id);
  }
}
