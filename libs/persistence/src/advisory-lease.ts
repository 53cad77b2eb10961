import { Client } from 'pg';

const RETRY_MS = 1_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * One holder at a time per name, across every replica of a service, with a PostgreSQL session
 * advisory lock on a connection of its own: the lock lives as long as that connection, so a
 * crashed or cut-off holder frees it and a standby replica takes over within a second.
 */
export class AdvisoryLease {
  constructor(private readonly url: string) {}

  async acquire(
    name: string,
    stopped: () => boolean,
  ): Promise<{ lost: Promise<void>; release(): Promise<void> } | undefined> {
    while (!stopped()) {
      const client = new Client({
        connectionString: this.url,
        application_name: `lease:${name}`,
        connectionTimeoutMillis: 5_000,
        keepAlive: true,
      });
      const lost = new Promise<void>((resolve) => {
        client.on('error', () => resolve());
        client.on('end', () => resolve());
      });
      try {
        await client.connect();
        for (let held = false; !held;) {
          if (stopped()) {
            await client.end();
            return undefined;
          }
          const { rows } = await client.query<{ held: boolean }>(
            'SELECT pg_try_advisory_lock(hashtext($1)) AS held',
            [name],
          );
          held = rows[0].held;
          if (!held) await Promise.race([sleep(RETRY_MS), lost]);
        }
        return { lost, release: () => client.end().catch(() => undefined) };
      } catch {
        // PostgreSQL unreachable or the connection broke: try again with a new one.
        await client.end().catch(() => undefined);
        await sleep(RETRY_MS);
      }
    }
    return undefined;
  }
}
