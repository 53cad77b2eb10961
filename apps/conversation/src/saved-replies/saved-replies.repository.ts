import type { ChangeSavedReply, SaveReply, SavedReplyScope, SavedReplyView } from '@parley/contracts';
import type { Sql } from '../sql';

interface SavedReplyRow {
  id: string;
  scope: SavedReplyScope;
  owner_id: string | null;
  shortcut: string;
  body: string;
  created_at: Date;
  updated_at: Date;
}

const savedReplyView = (row: SavedReplyRow): SavedReplyView => ({
  id: row.id,
  scope: row.scope,
  ownerId: row.owner_id,
  shortcut: row.shortcut,
  body: row.body,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

const COLUMNS = 'id, scope, owner_id, shortcut, body, created_at, updated_at';

/** Saved replies: the team's, and each agent's own; a shortcut is unique within its scope, whatever its case. */
export class SavedRepliesRepository {
  constructor(private readonly sql: Sql) {}

  /** 'saved'; 'exists' when this id was saved already (a retry); 'shortcut-taken' in its scope. */
  async save(cmd: SaveReply, ownerId: string | null): Promise<'saved' | 'exists' | 'shortcut-taken'> {
    const inserted: unknown[] = await this.sql.query(
      `INSERT INTO conversation.saved_replies (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $6)
       ON CONFLICT DO NOTHING RETURNING id`,
      [cmd.replyId, cmd.scope, ownerId, cmd.shortcut, cmd.body, cmd.acceptedAt],
    );
    if (inserted.length) return 'saved';
    return (await this.one(cmd.replyId)) ? 'exists' : 'shortcut-taken';
  }

  /** Whether another reply of the same scope (the team's, or this owner's) has the shortcut. */
  async shortcutTaken(shortcut: string, ownerId: string | null, exceptId: string): Promise<boolean> {
    const rows: unknown[] = await this.sql.query(
      `SELECT 1 FROM conversation.saved_replies
        WHERE COALESCE(owner_id, '') = COALESCE($2, '') AND lower(shortcut) = lower($1) AND id <> $3`,
      [shortcut, ownerId, exceptId],
    );
    return rows.length > 0;
  }

  async change(cmd: ChangeSavedReply): Promise<void> {
    await this.sql.query(
      `UPDATE conversation.saved_replies
          SET shortcut = COALESCE($2, shortcut), body = COALESCE($3, body), updated_at = $4
        WHERE id = $1`,
      [cmd.replyId, cmd.shortcut ?? null, cmd.body ?? null, cmd.acceptedAt],
    );
  }

  async delete(id: string): Promise<void> {
    await this.sql.query('DELETE FROM conversation.saved_replies WHERE id = $1', [id]);
  }

  async one(id: string): Promise<SavedReplyView | undefined> {
    const [row]: SavedReplyRow[] = await this.sql.query(
      `SELECT ${COLUMNS} FROM conversation.saved_replies WHERE id = $1`,
      [id],
    );
    return row && savedReplyView(row);
  }

  /**
   * The team's replies and the viewer's own, by shortcut (case-insensitively), those starting with
   * `prefix` when given; `after` is the previous page's last (lower shortcut, id).
   */
  async visibleTo(
    viewerId: string,
    prefix: string | undefined,
    after: [string, string] | undefined,
    limit: number,
  ): Promise<SavedReplyView[]> {
    const rows: SavedReplyRow[] = await this.sql.query(
      `SELECT ${COLUMNS} FROM conversation.saved_replies
        WHERE (owner_id IS NULL OR owner_id = $1)
          AND ($2::text IS NULL OR starts_with(lower(shortcut), lower($2)))
          AND ($3::text IS NULL OR (lower(shortcut), id) > ($3, $4))
        ORDER BY lower(shortcut), id LIMIT $5`,
      [viewerId, prefix ?? null, after?.[0] ?? null, after?.[1] ?? null, limit],
    );
    return rows.map(savedReplyView);
  }
}
