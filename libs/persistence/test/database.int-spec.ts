/**
 * A service's pool against a real PostgreSQL: every connection has a statement_timeout, so a
 * statement stuck behind a lock or a bad plan is cancelled; its migrations run without one.
 */
import { createDatabase, TestDatabase } from '@parley/testing';
import { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { openServiceDataSource } from '../src';

class SlowMigration1700000000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('SELECT pg_sleep(1)');
    await queryRunner.query('CREATE TABLE timed.slowly_made (id int)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE timed.slowly_made');
  }
}

let database: TestDatabase;
let db: DataSource;

beforeAll(async () => {
  database = await createDatabase();
  db = await openServiceDataSource({
    url: database.url,
    schema: 'timed',
    entities: [],
    migrations: [SlowMigration1700000000000],
    poolSize: 2,
    statementTimeoutMs: 500,
  });
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

describe('a service data source', () => {
  it('runs a migration that takes longer than the statement timeout', async () => {
    expect(await db.query(`SELECT to_regclass('timed.slowly_made') IS NOT NULL AS made`)).toEqual([
      { made: true },
    ]);
  });

  it('has the statement timeout on every connection of its pool, the one that migrated among them', async () => {
    // Both connections at once: the pool has two, and the migration ran on one of them.
    const settings = await Promise.all(
      [1, 2].map(() =>
        db.query(
          `SELECT pg_backend_pid() AS pid, current_setting('statement_timeout') AS timeout, pg_sleep(0.2)`,
        ),
      ),
    );
    expect(new Set(settings.map(([row]) => row.pid)).size).toBe(2);
    expect(settings.map(([row]) => row.timeout)).toEqual(['500ms', '500ms']);
  });

  it('cancels a statement that runs longer', async () => {
    await expect(db.query('SELECT pg_sleep(2)')).rejects.toMatchObject({
      driverError: expect.objectContaining({ code: '57014' }),
    });
  });
});
