import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The reports projection: one row per conversation with the moments reports measure, and every
 * status change, from which each conversation's unresolved periods are derived (for the backlog).
 */
export class ConversationReports1768400000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    // Filled by whichever event arrives first: every column waits for its own event.
    await q.query(`
      CREATE TABLE history.report_conversations (
        conversation_id text PRIMARY KEY,
        opened_at timestamptz,
        site_id text,
        assignee_id text,
        assignee_at timestamptz,
        team text,
        team_at timestamptz,
        first_response_at timestamptz,
        resolved_at timestamptz,
        unresolved tstzmultirange NOT NULL DEFAULT '{}'
      )`);
    await q.query('CREATE INDEX report_conversations_opened_idx ON history.report_conversations (opened_at)');
    await q.query(
      'CREATE INDEX report_conversations_unresolved_idx ON history.report_conversations USING gist (unresolved)',
    );
    await q.query(`
      CREATE TABLE history.report_status_changes (
        event_id text PRIMARY KEY,
        conversation_id text NOT NULL,
        occurred_at timestamptz NOT NULL,
        resolved boolean NOT NULL
      )`);
    await q.query(
      'CREATE INDEX report_status_changes_conversation_idx ON history.report_status_changes (conversation_id, occurred_at)',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE history.report_status_changes');
    await q.query('DROP TABLE history.report_conversations');
  }
}
