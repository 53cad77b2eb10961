import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { infraKind } from './infra';

/** A database that exists for one test suite only. */
export interface TestDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

const LOCAL_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function withAdmin<T>(adminUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function createDatabase(): Promise<TestDatabase> {
  let adminUrl = LOCAL_ADMIN_URL;
  let stopContainer = async () => undefined as unknown;
  if ((await infraKind()) === 'containers') {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:15-alpine').start();
    adminUrl = container.getConnectionUri();
    stopContainer = () => container.stop();
  }
  const name = `parley_test_${randomBytes(6).toString('hex')}`;
  await withAdmin(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await withAdmin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      await stopContainer();
    },
  };
}
