import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { infraKind } from './infra';

/** A database that exists for one test suite only. */
export interface TestDatabase {
  readonly url: string;
  /** Cuts every connection and refuses new ones (superusers included) until `unblock`. */
  block(): Promise<void>;
  unblock(): Promise<void>;
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
    async block() {
      await withAdmin(adminUrl, async (c) => {
        await c.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
        await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
      });
    },
    async unblock() {
      await withAdmin(adminUrl, (c) => c.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`));
    },
    async drop() {
      await withAdmin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      await stopContainer();
    },
  };
}
