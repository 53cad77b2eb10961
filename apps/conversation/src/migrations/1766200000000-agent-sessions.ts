import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Where an agent is signed in: one row per device, holding the SHA-256 of its current refresh
 * token and of those it replaced, so a replayed one is recognised.
 */
export class AgentSessions1766200000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE conversation.agent_sessions (
        id text PRIMARY KEY,
        agent_id text NOT NULL REFERENCES conversation.agents (id),
        refresh_hash text NOT NULL,
        replaced_hashes text[] NOT NULL DEFAULT '{}',
        device text NOT NULL,
        created_at timestamptz NOT NULL,
        last_used_at timestamptz NOT NULL,
        ended_at timestamptz
      )`);
    await q.query('CREATE INDEX agent_sessions_agent_idx ON conversation.agent_sessions (agent_id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE conversation.agent_sessions');
  }
}
