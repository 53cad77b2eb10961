import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retention: when each conversation was resolved (the age a policy measures), when an attachment
 * expired, each site's policy, and the one schedule every process of the service shares.
 */
export class Retention1769200000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    // Conversations resolved before this column existed count from now: a policy never removes
    // one sooner than it says, only later.
    await q.query('ALTER TABLE conversation.conversations ADD COLUMN resolved_at timestamptz');
    await q.query("UPDATE conversation.conversations SET resolved_at = now() WHERE status = 'resolved'");
    await q.query(
      `CREATE INDEX conversations_resolved_idx ON conversation.conversations (site_id, resolved_at, id)
        WHERE status = 'resolved'`,
    );
    await q.query('ALTER TABLE conversation.attachments ADD COLUMN expired_at timestamptz');
    await q.query(
      `CREATE INDEX attachments_taken_idx ON conversation.attachments (conversation_id, recorded_at)
        WHERE message_id IS NOT NULL AND expired_at IS NULL`,
    );
    await q.query(`
      CREATE TABLE conversation.retention_policies (
        site_id text PRIMARY KEY,
        resolved_conversation_days int,
        attachment_days int,
        updated_at timestamptz,
        run_requested_at timestamptz,
        last_run_at timestamptz,
        last_run_conversations int,
        last_run_attachments int
      )`);
    await q.query(`
      CREATE TABLE conversation.retention_schedule (
        id text PRIMARY KEY,
        next_run_at timestamptz NOT NULL,
        last_run_at timestamptz
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE conversation.retention_schedule');
    await q.query('DROP TABLE conversation.retention_policies');
    await q.query('DROP INDEX conversation.attachments_taken_idx');
    await q.query('ALTER TABLE conversation.attachments DROP COLUMN expired_at');
    await q.query('DROP INDEX conversation.conversations_resolved_idx');
    await q.query('ALTER TABLE conversation.conversations DROP COLUMN resolved_at');
  }
}
