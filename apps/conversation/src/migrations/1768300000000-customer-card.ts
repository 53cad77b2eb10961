import { MigrationInterface, QueryRunner } from 'typeorm';

/** What the business knows about a customer (custom attributes) and where they live (time zone). */
export class CustomerCard1768300000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE conversation.customers
        ADD COLUMN attributes jsonb NOT NULL DEFAULT '{}',
        ADD COLUMN time_zone text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE conversation.customers DROP COLUMN attributes, DROP COLUMN time_zone');
  }
}
