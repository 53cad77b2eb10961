import { MigrationInterface, QueryRunner } from 'typeorm';

/** Sites where the widget is embedded, each with its identity-verification secret, sealed. */
export class Sites1765310000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE conversation.sites (
        id text PRIMARY KEY,
        name text NOT NULL,
        allow_anonymous boolean NOT NULL,
        sealed_secret text NOT NULL,
        created_at timestamptz NOT NULL,
        secret_rotated_at timestamptz
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE conversation.sites');
  }
}
