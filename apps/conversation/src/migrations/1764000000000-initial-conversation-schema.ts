import { outboxTableSql } from '@parley/persistence';
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
        presence text NOT NULL DEFAULT 'offline',
        last_assigned_at timestamptz,
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
        last_message_preview text,
        snooze_until timestamptz,
        queued_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      'CREATE INDEX conversations_customer_idx ON conversation.conversations (customer_id, created_at DESC)',
    );
    await q.query(
      'CREATE INDEX conversations_activity_idx ON conversation.conversations (last_message_at DESC, id DESC)',
    );
    await q.query(
      'CREATE INDEX conversations_assignee_idx ON conversation.conversations (assignee_id, status)',
    );
    await q.query(
      "CREATE INDEX conversations_queue_idx ON conversation.conversations (queued_at) WHERE status = 'open' AND assignee_id IS NULL",
    );
    await q.query(
      "CREATE INDEX conversations_snoozed_idx ON conversation.conversations (snooze_until) WHERE status = 'snoozed'",
    );
    // The agent who last handled each customer: auto-assignment prefers them.
    await q.query(`
      CREATE TABLE conversation.customer_agents (
        customer_id text PRIMARY KEY,
        agent_id text NOT NULL,
        assigned_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE conversation.read_horizons (
        conversation_id text NOT NULL,
        principal_id text NOT NULL,
        seq int NOT NULL,
        read_at timestamptz NOT NULL,
        PRIMARY KEY (conversation_id, principal_id)
      )`);
    // Stream sequences of handled commands: a redelivered command is recognised and skipped.
    await q.query(`
      CREATE TABLE conversation.processed_commands (
        stream_seq bigint PRIMARY KEY,
        processed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(outboxTableSql('conversation'));
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
    await q.query('DROP TABLE conversation.outbox');
    await q.query('DROP TABLE conversation.processed_commands');
    await q.query('DROP TABLE conversation.read_horizons');
    await q.query('DROP TABLE conversation.customer_agents');
    await q.query('DROP TABLE conversation.conversation_entries');
    await q.query('DROP TABLE conversation.conversations');
    await q.query('DROP TABLE conversation.customers');
    await q.query('DROP TABLE conversation.agents');
  }
}
