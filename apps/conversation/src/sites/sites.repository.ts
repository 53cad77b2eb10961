import type {
  ConfigureSite,
  OpeningHours,
  RegisterSite,
  RotateSiteSecret,
  SetAnonymousVisitors,
  SiteConfiguredData,
  SiteCredentials,
  SiteView,
} from '@parley/contracts';
import type { Sql } from '../sql';

interface SiteRow {
  id: string;
  name: string;
  allow_anonymous: boolean;
  sealed_secret: string;
  created_at: Date;
  secret_rotated_at: Date | null;
  time_zone: string;
  hours: OpeningHours[];
  holidays: string[];
  expected_reply_minutes: number | null;
  notify_delay_seconds: number;
  auto_reply: string | null;
  conversation_url: string | null;
}

const siteSettings = (row: SiteRow): SiteConfiguredData => ({
  siteId: row.id,
  name: row.name,
  timeZone: row.time_zone,
  hours: row.hours,
  holidays: row.holidays,
  expectedReplyMinutes: row.expected_reply_minutes,
  notifyDelaySeconds: row.notify_delay_seconds,
  autoReply: row.auto_reply,
  conversationUrl: row.conversation_url,
});

const siteView = (row: SiteRow): SiteView => ({
  id: row.id,
  name: row.name,
  allowAnonymous: row.allow_anonymous,
  createdAt: row.created_at.toISOString(),
  secretRotatedAt: row.secret_rotated_at?.toISOString() ?? null,
});

/**
 * Sites and their identity-verification secrets, which this service keeps as the gateway sealed
 * them: it never holds the key that opens them.
 */
export class SitesRepository {
  constructor(private readonly sql: Sql) {}

  /** False when a site was registered under this id already (a retry). */
  async register(cmd: RegisterSite): Promise<boolean> {
    const created: unknown[] = await this.sql.query(
      `INSERT INTO conversation.sites (id, name, allow_anonymous, sealed_secret, created_at)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING RETURNING id`,
      [cmd.siteId, cmd.name, cmd.allowAnonymous, cmd.sealedSecret, cmd.acceptedAt],
    );
    return created.length > 0;
  }

  /** False when there is no such site. */
  async rotateSecret(cmd: RotateSiteSecret): Promise<boolean> {
    const rotated: unknown[] = await this.sql.query(
      `UPDATE conversation.sites SET sealed_secret = $2, secret_rotated_at = $3 WHERE id = $1 RETURNING id`,
      [cmd.siteId, cmd.sealedSecret, cmd.acceptedAt],
    );
    return rotated.length > 0;
  }

  /** False when there is no such site. */
  async setAnonymousVisitors(cmd: SetAnonymousVisitors): Promise<boolean> {
    const changed: unknown[] = await this.sql.query(
      'UPDATE conversation.sites SET allow_anonymous = $2 WHERE id = $1 RETURNING id',
      [cmd.siteId, cmd.allowAnonymous],
    );
    return changed.length > 0;
  }

  /** Replaces what the site is configured with; false when there is no such site. */
  async configure(cmd: ConfigureSite): Promise<boolean> {
    const changed: unknown[] = await this.sql.query(
      `UPDATE conversation.sites
          SET time_zone = $2, hours = $3::jsonb, holidays = $4, expected_reply_minutes = $5,
              notify_delay_seconds = $6, auto_reply = $7, conversation_url = $8
        WHERE id = $1 RETURNING id`,
      [
        cmd.siteId,
        cmd.timeZone,
        JSON.stringify(cmd.hours.map(({ day, opens, closes }) => ({ day, opens, closes }))),
        cmd.holidays,
        cmd.expectedReplyMinutes,
        cmd.notifyDelaySeconds,
        cmd.autoReply,
        cmd.conversationUrl,
      ],
    );
    return changed.length > 0;
  }

  /** What the site is configured with, as `site.configured` carries it; undefined when no such site. */
  async settings(siteId: string): Promise<SiteConfiguredData | undefined> {
    const [row]: SiteRow[] = await this.sql.query('SELECT * FROM conversation.sites WHERE id = $1', [siteId]);
    return row && siteSettings(row);
  }

  /**
   * The median first response of the site's conversations opened in the last `days` days, in
   * seconds; null when none was answered.
   */
  async medianFirstResponseSeconds(siteId: string, days: number): Promise<number | null> {
    const [row]: Array<{ median: number | null }> = await this.sql.query(
      `SELECT percentile_cont(0.5) WITHIN GROUP (
                ORDER BY extract(epoch FROM first_response_at - created_at)) AS median
         FROM conversation.conversations
        WHERE site_id = $1 AND first_response_at IS NOT NULL
          AND created_at >= now() - make_interval(days => $2)`,
      [siteId, days],
    );
    return row?.median ?? null;
  }

  async credentials(siteId: string): Promise<SiteCredentials | undefined> {
    const [row]: SiteRow[] = await this.sql.query('SELECT * FROM conversation.sites WHERE id = $1', [siteId]);
    return row && { siteId: row.id, allowAnonymous: row.allow_anonymous, sealedSecret: row.sealed_secret };
  }

  /** Sites by id after `after`. */
  async sites(after: string, limit: number): Promise<SiteView[]> {
    const rows: SiteRow[] = await this.sql.query(
      'SELECT * FROM conversation.sites WHERE id > $1 ORDER BY id LIMIT $2',
      [after, limit],
    );
    return rows.map(siteView);
  }
}
