import { MigrationInterface, QueryRunner } from 'typeorm';

/** How a message came in when not through the API (`email`); null for the API, as every earlier entry. */
export class EntryVia1767100000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE conversation.conversation_entries ADD COLUMN via text');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE conversation.conversation_entries DROP COLUMN via');
  }
}
