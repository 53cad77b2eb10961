import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Agents sign in: each has a role, a password hash once they used their invite, and can be
 * deactivated. Invites are kept as the SHA-256 of their secret, so a leaked table opens no account.
 */
export class AgentSignIn1766000000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE conversation.agents
        ADD COLUMN role text NOT NULL DEFAULT 'agent' CHECK (role IN ('admin', 'supervisor', 'agent')),
        ADD COLUMN password_hash text,
        ADD COLUMN active boolean NOT NULL DEFAULT true`);
    // An email signs in one agent: it is unique among the agents who can sign in.
    await q.query(
      'CREATE UNIQUE INDEX agents_sign_in_email_idx ON conversation.agents (lower(email)) WHERE password_hash IS NOT NULL',
    );
    await q.query(`
      CREATE TABLE conversation.agent_invites (
        invite_hash text PRIMARY KEY,
        agent_id text NOT NULL REFERENCES conversation.agents (id),
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE conversation.agent_invites');
    await q.query('DROP INDEX conversation.agents_sign_in_email_idx');
    await q.query(
      'ALTER TABLE conversation.agents DROP COLUMN role, DROP COLUMN password_hash, DROP COLUMN active',
    );
  }
}
