import { Client } from 'pg';
import { DataSource, DataSourceOptions, MigrationExecutor } from 'typeorm';
import { LeaseFenceSubscriber } from './lease-fence.subscriber';

export class DatabaseUnreachable extends Error {
  override readonly name = 'DatabaseUnreachable';
}

function describe(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || 5432}${u.pathname}`;
}

/** Creates the database named in the URL when it does not exist yet (the contract's "created at start"). */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (error) {
    throw new DatabaseUnreachable(
      `Cannot reach PostgreSQL at ${describe(url)} (${(error as Error).message}). ` +
        'Start PostgreSQL (e.g. `pg_ctlcluster 15 main start`) or point DATABASE_URL at a running server.',
    );
  }
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) {
      await client
        .query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`)
        .catch((error: { code?: string }) => {
          // Another service created it first.
          if (error.code !== '42P04' && error.code !== '23505') throw error;
        });
    }
  } finally {
    await client.end();
  }
}

export interface ServiceDataSourceOptions {
  url: string;
  /** The service's own schema: its tables live here and nowhere else. */
  schema: string;
  entities: NonNullable<DataSourceOptions['entities']>;
  migrations: NonNullable<DataSourceOptions['migrations']>;
  poolSize?: number;
  /** The longest a statement may run before PostgreSQL cancels it (migrations excepted). */
  statementTimeoutMs: number;
}

/**
 * Connects, then runs the service's migrations inside a PostgreSQL advisory lock, so replicas
 * starting together migrate once. `synchronize` is never on.
 */
export async function openServiceDataSource(options: ServiceDataSourceOptions): Promise<DataSource> {
  await ensureDatabase(options.url);
  const dataSource = new DataSource({
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    entities: options.entities,
    migrations: options.migrations,
    subscribers: [LeaseFenceSubscriber],
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    extra: {
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: 5_000,
      // A process paused inside a transaction (SIGSTOP, a stalled VM) would hold its locks, the
      // lease fence's among them, for as long as the pause: PostgreSQL ends such a session instead.
      options: `-c statement_timeout=${options.statementTimeoutMs} -c idle_in_transaction_session_timeout=30000`,
    },
  });
  try {
    await dataSource.initialize();
  } catch (error) {
    throw new DatabaseUnreachable(
      `Cannot open PostgreSQL at ${describe(options.url)}: ${(error as Error).message}`,
    );
  }
  await migrateUnderLock(dataSource, options.schema);
  return dataSource;
}

async function migrateUnderLock(dataSource: DataSource, schema: string): Promise<void> {
  const runner = dataSource.createQueryRunner();
  try {
    await runner.connect();
    // Waiting for another replica's migrations, or building an index over a large table, may take
    // longer than any statement serving the service should. A failed migration stops the service,
    // so this session is never used with the limit off for anything else.
    await runner.query('SET statement_timeout = 0');
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [`parley:migrations:${schema}`]);
    try {
      await runner.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      const migrations = new MigrationExecutor(dataSource, runner);
      migrations.transaction = 'each';
      await migrations.executePendingMigrations();
    } finally {
      await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [`parley:migrations:${schema}`]);
    }
    await runner.query('RESET statement_timeout');
  } finally {
    await runner.release();
  }
}
