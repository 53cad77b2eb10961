import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialConversationSchema1764000000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE conversation.agents (
        id text PRIMARY KEY,
        name text NOT NULL,
        email text NOT NULL,
        teams text[] NOT NULL DEFAULT '{}',
        capacity int NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE conversation.customers (
        id text PRIMARY KEY,
        external_id text NOT NULL UNIQUE,
        name text,
        email text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE conversation.conversations (
        id text PRIMARY KEY,
        customer_id text NOT NULL,
        subject text,
        status text NOT NULL,
        priority text NOT NULL,
        assignee_id text,
        team text,
        last_seq int NOT NULL,
        last_message_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      'CREATE INDEX conversations_customer_idx ON conversation.conversations (customer_id, created_at DESC)',
    );
    await q.query(`
      CREATE TABLE conversation.conversation_entries (
        id text PRIMARY KEY,
        conversation_id text NOT NULL REFERENCES conversation.conversations (id),
        seq int NOT NULL,
        author_id text NOT NULL,
        author_role text NOT NULL,
        type text NOT NULL,
        created_at timestamptz NOT NULL,
        UNIQUE (conversation_id, seq)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE conversation.conversation_entries');
    await q.query('DROP TABLE conversation.conversations');
    await q.query('DROP TABLE conversation.customers');
    await q.query('DROP TABLE conversation.agents');
  }
}
