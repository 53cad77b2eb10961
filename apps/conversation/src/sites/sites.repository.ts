import type {
  RegisterSite,
  RotateSiteSecret,
  SetAnonymousVisitors,
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
}

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
