import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Erasure: a customer becomes a tombstone and their conversations content-free shells
 * (docs/adr/0014-customer-erasure.md); each erasure is recorded with the stores that confirmed it,
 * and customers' own requests wait for an admin.
 */
export class CustomerErasure1769100000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE conversation.customers
        ALTER COLUMN external_id DROP NOT NULL,
        ADD COLUMN erased_at timestamptz,
        ADD COLUMN erased_by jsonb`);
    await q.query('ALTER TABLE conversation.conversations ADD COLUMN erased_at timestamptz');
    await q.query(`
      CREATE TABLE conversation.erasures (
        id text PRIMARY KEY,
        customer_id text NOT NULL UNIQUE,
        requested_by jsonb NOT NULL,
        requested_at timestamptz NOT NULL,
        request_id text,
        conversation_ids text[] NOT NULL,
        -- What the sweeper deletes after commit: the attachments' objects, by id.
        attachment_ids text[] NOT NULL,
        completed_at timestamptz
      )`);
    await q.query(
      'CREATE INDEX erasures_unfinished_idx ON conversation.erasures (requested_at) WHERE completed_at IS NULL',
    );
    await q.query(`
      CREATE TABLE conversation.erasure_stores (
        erasure_id text NOT NULL REFERENCES conversation.erasures (id),
        store text NOT NULL,
        erased_at timestamptz NOT NULL,
        count int,
        PRIMARY KEY (erasure_id, store)
      )`);
    await q.query(`
      CREATE TABLE conversation.erasure_requests (
        id text PRIMARY KEY,
        customer_id text NOT NULL,
        status text NOT NULL,
        requested_at timestamptz NOT NULL,
        decided_at timestamptz,
        decided_by text,
        erasure_id text
      )`);
    await q.query(
      "CREATE UNIQUE INDEX erasure_requests_pending_idx ON conversation.erasure_requests (customer_id) WHERE status = 'pending'",
    );
    await q.query(
      'CREATE INDEX erasure_requests_recent_idx ON conversation.erasure_requests (requested_at DESC, id DESC)',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE conversation.erasure_requests');
    await q.query('DROP TABLE conversation.erasure_stores');
    await q.query('DROP TABLE conversation.erasures');
    await q.query('ALTER TABLE conversation.conversations DROP COLUMN erased_at');
    await q.query('ALTER TABLE conversation.customers DROP COLUMN erased_at, DROP COLUMN erased_by');
  }
}
