import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * How a message came in (`api`, `email`, `automatic`): stored with the message, and with the command
 * of one not stored yet, so that its status shows it too. Every earlier message came through the API.
 */
export class MessageVia1767100000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query("ALTER TABLE history.messages ADD COLUMN via text NOT NULL DEFAULT 'api'");
    await q.query("ALTER TABLE history.accepted_messages ADD COLUMN via text NOT NULL DEFAULT 'api'");
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE history.accepted_messages DROP COLUMN via');
    await q.query('ALTER TABLE history.messages DROP COLUMN via');
  }
}
