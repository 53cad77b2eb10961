import type { ChangeLabel, DefineLabel, LabelRef, LabelView } from '@parley/contracts';
import type { Sql } from '../sql';

interface LabelRow {
  id: string;
  name: string;
  colour: string;
  description: string | null;
  created_at: Date;
}

const labelView = (row: LabelRow): LabelView => ({
  id: row.id,
  name: row.name,
  colour: row.colour,
  description: row.description,
  createdAt: row.created_at.toISOString(),
});

/** Labels: names unique whatever their case. Conversations carry label ids (`conversations.labels`). */
export class LabelsRepository {
  constructor(private readonly sql: Sql) {}

  /** 'defined'; 'exists' when this id is defined already (a retry); 'name-taken' when another has the name. */
  async define(cmd: DefineLabel): Promise<'defined' | 'exists' | 'name-taken'> {
    const inserted: unknown[] = await this.sql.query(
      `INSERT INTO conversation.labels (id, name, colour, description, created_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT DO NOTHING RETURNING id`,
      [cmd.labelId, cmd.name, cmd.colour.toLowerCase(), cmd.description ?? null, cmd.acceptedAt],
    );
    if (inserted.length) return 'defined';
    const existing: unknown[] = await this.sql.query('SELECT 1 FROM conversation.labels WHERE id = $1', [
      cmd.labelId,
    ]);
    return existing.length ? 'exists' : 'name-taken';
  }

  /** Whether a label other than `exceptId` has this name, whatever its case. */
  async nameTaken(name: string, exceptId: string): Promise<boolean> {
    const rows: unknown[] = await this.sql.query(
      'SELECT 1 FROM conversation.labels WHERE lower(name) = lower($1) AND id <> $2',
      [name, exceptId],
    );
    return rows.length > 0;
  }

  /** False when there is no such label. */
  async change(cmd: ChangeLabel): Promise<boolean> {
    const changed: unknown[] = await this.sql.query(
      `UPDATE conversation.labels
          SET name = COALESCE($2, name), colour = COALESCE($3, colour), description = COALESCE($4, description)
        WHERE id = $1 RETURNING id`,
      [cmd.labelId, cmd.name ?? null, cmd.colour?.toLowerCase() ?? null, cmd.description ?? null],
    );
    return changed.length > 0;
  }

  /** Deletes the label and takes it off every conversation (the GIN index finds them). */
  async delete(labelId: string): Promise<void> {
    await this.sql.query(
      `WITH gone AS (DELETE FROM conversation.labels WHERE id = $1)
       UPDATE conversation.conversations SET labels = array_remove(labels, $1) WHERE labels @> ARRAY[$1]`,
      [labelId],
    );
  }

  /** Those of these labels that exist, in the order given. */
  async refs(ids: string[]): Promise<LabelRef[]> {
    if (!ids.length) return [];
    const rows: LabelRef[] = await this.sql.query(
      `SELECT l.id, l.name, l.colour FROM unnest($1::text[]) WITH ORDINALITY AS given (id, n)
         JOIN conversation.labels l ON l.id = given.id ORDER BY given.n`,
      [ids],
    );
    return rows;
  }

  /** By name, case-insensitively; `after` is the previous page's last (lower name, id). */
  async list(after: [string, string] | undefined, limit: number): Promise<LabelView[]> {
    const rows: LabelRow[] = await this.sql.query(
      `SELECT id, name, colour, description, created_at FROM conversation.labels
        WHERE $1::text IS NULL OR (lower(name), id) > ($1, $2)
        ORDER BY lower(name), id LIMIT $3`,
      [after?.[0] ?? null, after?.[1] ?? null, limit],
    );
    return rows.map(labelView);
  }

  async one(id: string): Promise<LabelView | undefined> {
    const [row]: LabelRow[] = await this.sql.query(
      'SELECT id, name, colour, description, created_at FROM conversation.labels WHERE id = $1',
      [id],
    );
    return row && labelView(row);
  }

  /** The label with this name, whatever its case. */
  async named(name: string): Promise<LabelView | undefined> {
    const [row]: LabelRow[] = await this.sql.query(
      'SELECT id, name, colour, description, created_at FROM conversation.labels WHERE lower(name) = lower($1)',
      [name],
    );
    return row && labelView(row);
  }
}
