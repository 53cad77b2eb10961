import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialDeliverySchema1764000000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE TABLE delivery.agents (id text PRIMARY KEY)');
    // The cursor is the global insertion order; each principal's inbox is that order filtered.
    await q.query(`
      CREATE TABLE delivery.inbox_events (
        cursor bigserial PRIMARY KEY,
        principal_id text NOT NULL,
        event_id text NOT NULL,
        type text NOT NULL,
        conversation_id text,
        occurred_at timestamptz NOT NULL,
        data jsonb NOT NULL,
        UNIQUE (principal_id, event_id)
      )`);
    await q.query(
      'CREATE INDEX inbox_events_principal_cursor_idx ON delivery.inbox_events (principal_id, cursor)',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE delivery.inbox_events');
    await q.query('DROP TABLE delivery.agents');
  }
}
