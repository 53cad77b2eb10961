import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialHistorySchema1764000000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE history.conversations (
        id text PRIMARY KEY,
        customer_id text NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    // (conversation_id, seq) is both the uniqueness rule and the keyset index for paging.
    await q.query(`
      CREATE TABLE history.messages (
        id text PRIMARY KEY,
        conversation_id text NOT NULL,
        seq int NOT NULL,
        author_id text NOT NULL,
        author_role text NOT NULL,
        type text NOT NULL,
        body text NOT NULL,
        created_at timestamptz NOT NULL,
        UNIQUE (conversation_id, seq)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE history.messages');
    await q.query('DROP TABLE history.conversations');
  }
}
