/**
 * AdvisoryLease against a real PostgreSQL: one holder at a time per name, handed over when the
 * holder releases it or when its connection is cut (as by a crash or a database restart).
 */
import { Client } from 'pg';
import { createDatabase, TestDatabase, waitFor } from '@parley/testing';
import { AdvisoryLease } from '../src';

let database: TestDatabase;
const held: Array<{ release(): Promise<void> }> = [];

beforeAll(async () => {
  database = await createDatabase();
});

afterAll(async () => {
  await Promise.all(held.map((lease) => lease.release()));
  await database?.drop();
});

async function terminateHolder(name: string): Promise<number> {
  const admin = new Client({ connectionString: database.url });
  await admin.connect();
  try {
    const { rowCount } = await admin.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1',
      [`lease:${name}`],
    );
    return rowCount ?? 0;
  } finally {
    await admin.end();
  }
}

type Lease = { lost: Promise<void>; release(): Promise<void> };

async function take(name: string): Promise<Lease> {
  const lease = await new AdvisoryLease(database.url).acquire(name, () => false);
  if (!lease) throw new Error(`no lease on ${name}`);
  held.push(lease);
  return lease;
}

describe('AdvisoryLease', () => {
  it('has one holder at a time and hands over on release and on a cut connection', async () => {
    const name = 'delivery-events';
    const first = await take(name);

    let second: Lease | undefined;
    const waiting = take(name).then((lease) => (second = lease));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(second).toBeUndefined(); // still waiting while the first holds it

    await first.release();
    const taken = await waitFor('the second to take the lease', async () => second, 5_000, 50);

    let lost = false;
    void taken.lost.then(() => (lost = true));
    expect(await terminateHolder(name)).toBe(1);
    await waitFor('the holder to learn it lost the lease', async () => lost, 5_000, 50);
    await expect(take(name)).resolves.toBeDefined();
    await waiting;
  });

  it('gives up waiting once stopped', async () => {
    const name = 'stopped-waiting';
    await take(name);
    let stopped = false;
    const waiting = new AdvisoryLease(database.url).acquire(name, () => stopped);
    stopped = true;
    await expect(waiting).resolves.toBeUndefined();
  });
});
