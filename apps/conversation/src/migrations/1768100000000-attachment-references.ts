import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The message that first carried each attachment, or a tombstone (`message_id` NULL) for one the
 * sweep deleted as an orphan (attachments/attachment-references.ts).
 */
export class AttachmentReferences1768100000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE conversation.attachments (
        id text PRIMARY KEY,
        conversation_id text NOT NULL,
        message_id text,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE conversation.attachments');
  }
}
