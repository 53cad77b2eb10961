import { MigrationInterface, QueryRunner } from 'typeorm';

/** Revoking an agent's tokens moves their version on; the gateways refuse tokens of an older one. */
export class AgentTokenVersion1766100000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE conversation.agents ADD COLUMN token_version int NOT NULL DEFAULT 0');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE conversation.agents DROP COLUMN token_version');
  }
}
