import { outboxTableSql } from '@parley/persistence';
import { MigrationInterface, QueryRunner } from 'typeorm';

/** Inbox acknowledgements, webhook endpoints with their deliveries and attempts, and an outbox. */
export class AcksWebhooks1764100000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE delivery.inbox_acks (
        principal_id text PRIMARY KEY,
        position bigint NOT NULL,
        acked_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE delivery.webhooks (
        id text PRIMARY KEY,
        url text NOT NULL,
        events text[] NOT NULL,
        secret text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      )`);
    // One row per endpoint and event; its id is the stable `webhook-id` header.
    await q.query(`
      CREATE TABLE delivery.webhook_deliveries (
        id text PRIMARY KEY,
        webhook_id text NOT NULL REFERENCES delivery.webhooks (id),
        event_id text NOT NULL,
        event_type text NOT NULL,
        payload jsonb NOT NULL,
        status text NOT NULL DEFAULT 'pending',
        attempts int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      'CREATE INDEX webhook_deliveries_webhook_idx ON delivery.webhook_deliveries (webhook_id, status, created_at DESC, id DESC)',
    );
    await q.query(`
      CREATE TABLE delivery.webhook_attempts (
        delivery_id text NOT NULL REFERENCES delivery.webhook_deliveries (id),
        attempt int NOT NULL,
        at timestamptz NOT NULL,
        status_code int,
        error text,
        duration_ms int NOT NULL,
        PRIMARY KEY (delivery_id, attempt)
      )`);
    await q.query(outboxTableSql('delivery'));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE delivery.outbox');
    await q.query('DROP TABLE delivery.webhook_attempts');
    await q.query('DROP TABLE delivery.webhook_deliveries');
    await q.query('DROP TABLE delivery.webhooks');
    await q.query('DROP TABLE delivery.inbox_acks');
  }
}
