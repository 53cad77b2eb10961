import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Labels (defined by admins and supervisors, put on conversations by agents), saved replies, and
 * the indexes behind the conversation list's filters: each filter (label, status, assignee, team)
 * has an index that either reads its rows in list order (btree, most recently active first) or
 * finds them (GIN on the labels array) for a top-N sort.
 */
export class LabelsAndSavedReplies1768200000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE conversation.labels (
        id text PRIMARY KEY,
        name text NOT NULL,
        colour text NOT NULL,
        description text,
        created_at timestamptz NOT NULL
      )`);
    await q.query('CREATE UNIQUE INDEX labels_name_idx ON conversation.labels (lower(name))');
    await q.query(`ALTER TABLE conversation.conversations ADD COLUMN labels text[] NOT NULL DEFAULT '{}'`);
    await q.query(
      'CREATE INDEX conversations_labels_idx ON conversation.conversations USING gin (labels) WITH (fastupdate = off)',
    );
    await q.query(
      'CREATE INDEX conversations_status_activity_idx ON conversation.conversations (status, last_message_at DESC, id DESC)',
    );
    await q.query(
      'CREATE INDEX conversations_assignee_activity_idx ON conversation.conversations (assignee_id, last_message_at DESC, id DESC)',
    );
    await q.query(
      'CREATE INDEX conversations_team_activity_idx ON conversation.conversations (team, last_message_at DESC, id DESC) WHERE team IS NOT NULL',
    );
    await q.query(`
      CREATE TABLE conversation.saved_replies (
        id text PRIMARY KEY,
        scope text NOT NULL CHECK (scope IN ('team', 'personal')),
        owner_id text,
        shortcut text NOT NULL,
        body text NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CHECK ((scope = 'team') = (owner_id IS NULL))
      )`);
    // One shortcut per scope: the team's, and each agent's own.
    await q.query(
      `CREATE UNIQUE INDEX saved_replies_shortcut_idx ON conversation.saved_replies (COALESCE(owner_id, ''), lower(shortcut))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE conversation.saved_replies');
    await q.query('DROP INDEX conversation.conversations_team_activity_idx');
    await q.query('DROP INDEX conversation.conversations_assignee_activity_idx');
    await q.query('DROP INDEX conversation.conversations_status_activity_idx');
    await q.query('ALTER TABLE conversation.conversations DROP COLUMN labels');
    await q.query('DROP TABLE conversation.labels');
  }
}
