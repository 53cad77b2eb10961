import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { ConsumerLease, Fence, HeldLease, LeaseEnd } from '@parley/jetstream';
import { MigrationInterface, QueryRunner } from 'typeorm';
import { isDatabaseUnavailable } from './database-unavailable';

export interface PartitionLeaseOptions {
  url: string;
  /** The service's schema, which holds its `partition_leases` and `partition_members`. */
  schema: string;
  /** How long a lease lasts without renewal: the longest a dead or paused owner holds a partition. */
  ttlMs: number;
}

interface Holding {
  fence: Fence;
  group: string;
  /** By this process's clock, the lease surely still holds until then (renewed before it). */
  validUntil: number;
  end: (how: LeaseEnd) => void;
}

interface Waiter {
  group: string;
  stopped: () => boolean;
  grant: (lease: HeldLease | undefined) => void;
}

/** How often waiting and held leases are checked against the clock and `stopped()`. */
const WATCH_MS = 250;

/** How long after joining a process first takes partitions: others see it join meanwhile. */
const JOIN_MS = 500;

/**
 * Shares a service's partitions among its live processes with fenced leases in PostgreSQL: a row
 * per partition with its owner, an epoch raised at every takeover, and an expiry. Each process
 * renews what it holds every quarter of the TTL and holds at most its fair share (partitions ÷ live
 * processes, rounded up), so a joining process gets partitions given up by the others, and a dead
 * one's are taken over. A process counts as live while it renews and its lease connection exists
 * (a SIGKILLed process's connection closes at once, so its partitions move without waiting for
 * the TTL; a paused one's expire). Writes are fenced by `LeaseFenceSubscriber`.
 * docs/adr/0007-partitioned-consumers.md explains the choice.
 */
export class PartitionLeases implements ConsumerLease {
  readonly member = randomUUID();
  private readonly log = new Logger(PartitionLeases.name);
  private readonly held = new Map<string, Holding>();
  private readonly waiting = new Map<string, Waiter>();
  private readonly groups = new Map<string, number>();
  private client?: Client;
  private ticker?: NodeJS.Timeout;
  private watcher?: NodeJS.Timeout;
  private ticking: Promise<void> = Promise.resolve();
  private closed = false;
  /** Shutting down: renews what it holds until the consumers release it, takes nothing new. */
  private leaving = false;
  /** Whether this process counted as live at an earlier tick: only then does it take partitions. */
  private joined = false;
  /** Whether it has had its first chance to take partitions (readiness waits for it). */
  private settled = false;

  constructor(private readonly options: PartitionLeaseOptions) {}

  private get table(): string {
    return `"${this.options.schema}".partition_leases`;
  }

  private get members(): string {
    return `"${this.options.schema}".partition_members`;
  }

  acquire(
    name: string,
    stopped: () => boolean,
    group: { name: string; partitions: number } = { name, partitions: 1 },
  ): Promise<HeldLease | undefined> {
    if (this.leaving) return Promise.resolve(undefined);
    this.groups.set(group.name, group.partitions);
    const granted = new Promise<HeldLease | undefined>((grant) =>
      this.waiting.set(name, { group: group.name, stopped, grant }),
    );
    this.start();
    return granted;
  }

  /**
   * First step of a shutdown: this process no longer counts towards the fair share, so the others
   * take each partition as soon as the consumers here release it (not before: it still holds them).
   */
  async leave(): Promise<void> {
    this.leaving = true;
    for (const [, waiter] of this.waiting) waiter.grant(undefined);
    this.waiting.clear();
    await this.client
      ?.query(`UPDATE ${this.members} SET leaving = true WHERE member = $1`, [this.member])
      .catch(() => undefined);
  }

  /** Gives up every lease (the transport released them first when it stopped) and stops. */
  async close(): Promise<void> {
    await this.leave();
    this.closed = true;
    clearInterval(this.ticker);
    clearInterval(this.watcher);
    await this.ticking;
    try {
      if (this.client) {
        await this.client.query(`UPDATE ${this.table} SET owner = NULL WHERE owner = $1`, [this.member]);
        await this.client.query(`DELETE FROM ${this.members} WHERE member = $1`, [this.member]);
      }
    } catch {
      // The database is away: the leases expire by themselves.
    }
    await this.client?.end().catch(() => undefined);
  }

  /** Has had its first chance to take partitions: until then the consumers are not ready. */
  ready(): boolean {
    return this.settled;
  }

  private start(): void {
    if (this.ticker) return;
    const tick = () => {
      this.ticking = this.ticking.then(() => this.tick()).catch((error: Error) => this.unreachable(error));
    };
    tick();
    // The second tick, the first that takes partitions, comes soon: others have seen this one join.
    setTimeout(tick, JOIN_MS).unref();
    this.ticker = setInterval(tick, this.options.ttlMs / 4);
    this.watcher = setInterval(() => this.watch(), WATCH_MS);
  }

  private unreachable(error: Error): void {
    this.log.warn(`partition leases not renewed: ${error.message}`);
    // A statement that timed out leaves the connection in an unknown state: a new one is opened.
    if (isDatabaseUnavailable(error) || /timeout/i.test(error.message)) this.connectionLost();
  }

  /**
   * Without its connection this process no longer counts as live, and others may take its
   * partitions at once: everything it held is given up now, not when the TTL runs out.
   */
  private connectionLost(): void {
    const client = this.client;
    this.client = undefined;
    void client?.end().catch(() => undefined);
    for (const holding of this.held.values()) holding.end('taken');
  }

  /** Leases past their local deadline are lost; waiters whose consumer stopped get nothing. */
  private watch(): void {
    const now = Date.now();
    for (const holding of this.held.values()) if (now >= holding.validUntil) holding.end('taken');
    for (const [name, waiter] of this.waiting) {
      if (waiter.stopped()) {
        this.waiting.delete(name);
        waiter.grant(undefined);
      }
    }
  }

  private async connection(): Promise<Client> {
    if (this.client) return this.client;
    const client = new Client({
      connectionString: this.options.url,
      application_name: `parley-leases:${this.options.schema}`,
      connectionTimeoutMillis: 5_000,
      // A hung statement must not outlive the leases it was meant to renew: the client stops
      // waiting, and PostgreSQL stops running it.
      query_timeout: this.options.ttlMs / 2,
      statement_timeout: this.options.ttlMs / 2,
      keepAlive: true,
    });
    client.on('error', () => {
      if (this.client === client) this.connectionLost();
    });
    client.on('end', () => {
      if (this.client === client) this.connectionLost();
    });
    await client.connect();
    this.client = client;
    return client;
  }

  private async tick(): Promise<void> {
    if (this.closed) return;
    const db = await this.connection();
    const ttl = `${this.options.ttlMs} milliseconds`;
    const started = Date.now();
    if (this.leaving) {
      await this.renew(db, ttl, started);
      return;
    }
    await db.query(
      `INSERT INTO ${this.members} (member, pid, seen_at) VALUES ($1, pg_backend_pid(), now())
       ON CONFLICT (member) DO UPDATE SET pid = EXCLUDED.pid, seen_at = now()`,
      [this.member],
    );
    // Processes starting together would each see itself alone and take everything, then hand half
    // of it over (with what it had pulled): each takes partitions only from its second tick on.
    const joining = !this.joined;
    this.joined = true;
    // Members gone for an hour are forgotten; until then they are simply not counted as live.
    await db.query(`DELETE FROM ${this.members} WHERE seen_at < now() - interval '1 hour'`);
    await this.renew(db, ttl, started);
    const [{ live }] = (
      await db.query<{ live: number }>(
        `SELECT count(*)::int AS live FROM ${this.members} m
          WHERE m.seen_at > now() - $1::interval AND NOT m.leaving
            AND EXISTS (SELECT FROM pg_stat_activity a WHERE a.pid = m.pid)`,
        [ttl],
      )
    ).rows;
    if (joining) return;
    for (const [group, partitions] of this.groups) {
      const fair = Math.ceil(partitions / Math.max(1, live));
      const mine = [...this.held.values()].filter((h) => h.group === group);
      // Given up one batch later, by the consumer loop, which releases it when its batch is done.
      for (const holding of mine.slice(fair)) holding.end('given-up');
      if (mine.length < fair) await this.take(db, ttl, started, group, fair - mine.length);
    }
    this.settled = true;
  }

  private async renew(db: Client, ttl: string, started: number): Promise<void> {
    if (!this.held.size) return;
    const { rows } = await db.query<{ name: string; epoch: string }>(
      `UPDATE ${this.table} SET expires_at = now() + $3::interval
        WHERE owner = $1 AND name = ANY($2::text[]) RETURNING name, epoch`,
      [this.member, [...this.held.keys()], ttl],
    );
    const renewed = new Map(rows.map((r) => [r.name, Number(r.epoch)]));
    for (const [name, holding] of this.held) {
      if (renewed.get(name) === holding.fence.epoch) holding.validUntil = started + this.options.ttlMs;
      else holding.end('taken');
    }
  }

  /** Takes up to `count` of this group's waiting partitions that nobody live holds. */
  private async take(db: Client, ttl: string, started: number, group: string, count: number): Promise<void> {
    const wanted = [...this.waiting].filter(([, w]) => w.group === group).map(([name]) => name);
    if (!wanted.length) return;
    await db.query(
      `INSERT INTO ${this.table} (name) SELECT unnest($1::text[]) ON CONFLICT (name) DO NOTHING`,
      [wanted],
    );
    const { rows } = await db.query<{ name: string; epoch: string }>(
      `UPDATE ${this.table} l SET owner = $1, epoch = l.epoch + 1, expires_at = now() + $4::interval
        WHERE l.name IN (
          SELECT c.name FROM ${this.table} c
            LEFT JOIN ${this.members} m ON m.member = c.owner
           WHERE c.name = ANY($2::text[])
             AND (c.owner IS NULL OR c.expires_at < now() OR m.member IS NULL
                  OR NOT EXISTS (SELECT FROM pg_stat_activity a WHERE a.pid = m.pid))
           ORDER BY c.name LIMIT $3 FOR UPDATE OF c SKIP LOCKED)
        RETURNING l.name, l.epoch`,
      [this.member, wanted, count, ttl],
    );
    for (const { name, epoch } of rows) this.grant(name, group, Number(epoch), started);
  }

  private grant(name: string, group: string, epoch: number, started: number): void {
    const waiter = this.waiting.get(name);
    this.waiting.delete(name);
    const fence: Fence = { name, owner: this.member, epoch };
    let end!: (how: LeaseEnd) => void;
    const lost = new Promise<LeaseEnd>((resolve) => (end = resolve));
    const holding: Holding = { fence, group, validUntil: started + this.options.ttlMs, end };
    this.held.set(name, holding);
    const release = async () => {
      if (this.held.get(name) === holding) this.held.delete(name);
      end('given-up');
      await this.client
        ?.query(`UPDATE ${this.table} SET owner = NULL WHERE name = $1 AND owner = $2 AND epoch = $3`, [
          name,
          this.member,
          epoch,
        ])
        .catch(() => undefined);
    };
    if (!waiter) {
      void release();
      return;
    }
    waiter.grant({ lost, fence, release });
  }
}

/** The tables `PartitionLeases` works on; each consuming service adds them in its migrations. */
export function partitionLeasesMigration(schema: string): new () => MigrationInterface {
  return class implements MigrationInterface {
    // TypeORM reads a migration's name, and its timestamp from the name's end, from this property.
    readonly name = 'PartitionLeases1765000000000';

    async up(q: QueryRunner): Promise<void> {
      await q.query(`CREATE TABLE "${schema}".partition_leases (
        name text PRIMARY KEY,
        owner text,
        epoch bigint NOT NULL DEFAULT 0,
        expires_at timestamptz NOT NULL DEFAULT now()
      )`);
      await q.query(`CREATE TABLE "${schema}".partition_members (
        member text PRIMARY KEY,
        pid integer NOT NULL,
        seen_at timestamptz NOT NULL,
        leaving boolean NOT NULL DEFAULT false
      )`);
    }

    async down(q: QueryRunner): Promise<void> {
      await q.query(`DROP TABLE "${schema}".partition_members`);
      await q.query(`DROP TABLE "${schema}".partition_leases`);
    }
  };
}
