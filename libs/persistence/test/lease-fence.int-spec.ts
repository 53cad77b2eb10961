/**
 * The lease fence against a real PostgreSQL: a transaction made while handling partitions' messages
 * commits only while this process still holds every lease it handled them under, checked in one
 * statement for a batch gathered from several partitions.
 */
import { Fence, FencedOut, runFenced } from '@parley/jetstream';
import { createDatabase, TestDatabase } from '@parley/testing';
import { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { openServiceDataSource, partitionLeasesMigration } from '../src';

class Written1765000000001 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE TABLE fenced.written (note text)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE fenced.written');
  }
}

let database: TestDatabase;
let db: DataSource;
const owner = 'member-1';
const fence = (name: string, epoch: number): Fence => ({ name, owner, epoch });

const write = (fences: Fence[], note: string) =>
  runFenced(fences, () =>
    db.transaction((em) => em.query('INSERT INTO fenced.written (note) VALUES ($1)', [note])),
  );
const written = async () =>
  (await db.query('SELECT note FROM fenced.written ORDER BY note')).map((r: { note: string }) => r.note);

beforeAll(async () => {
  database = await createDatabase();
  db = await openServiceDataSource({
    url: database.url,
    schema: 'fenced',
    entities: [],
    migrations: [partitionLeasesMigration('fenced'), Written1765000000001],
    statementTimeoutMs: 5_000,
  });
  await db.query(
    `INSERT INTO fenced.partition_leases (name, owner, epoch) VALUES ('c-p0', $1, 3), ('c-p1', $1, 7), ('c-p2', $1, 1)`,
    [owner],
  );
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

describe('the lease fence', () => {
  it('commits a batch from several partitions while every lease is held', async () => {
    await write([fence('c-p0', 3), fence('c-p1', 7), fence('c-p2', 1)], 'all held');
    await write([], 'unpartitioned');
    expect(await written()).toEqual(['all held', 'unpartitioned']);
  });

  it('refuses the whole batch, naming the partition, once one of its leases was taken over', async () => {
    await db.query(`UPDATE fenced.partition_leases SET owner = 'member-2', epoch = 8 WHERE name = 'c-p1'`);
    const refused = write([fence('c-p0', 3), fence('c-p1', 7), fence('c-p2', 1)], 'one lost');
    await expect(refused).rejects.toThrow(FencedOut);
    await expect(refused).rejects.toThrow(/c-p1 epoch 7/);
    await expect(refused).rejects.not.toThrow(/c-p0|c-p2/);
    expect(await written()).toEqual(['all held', 'unpartitioned']);
    await write([fence('c-p0', 3), fence('c-p2', 1)], 'the others');
    expect(await written()).toEqual(['all held', 'the others', 'unpartitioned']);
  });
});
