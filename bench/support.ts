import autocannon from 'autocannon';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type { JetStreamClient } from '@nats-io/jetstream';
import { DEFAULT_PARTITIONS, PostMessage, subjectFor } from '@parley/contracts';

/**
 * The gateway's setting for a bench's system: the bench's agent keeps the access token it signed in
 * with for the whole run, which can last longer than the default 15 minutes; 24 hours is the most
 * the gateway allows.
 */
export const LONG_ACCESS_TOKENS = { PARLEY_ACCESS_TOKEN_TTL_SECONDS: String(24 * 3600) };

/** Latency samples in milliseconds. */
export class Samples {
  readonly values: number[] = [];

  add(ms: number): void {
    this.values.push(ms);
  }

  percentile(p: number): number {
    const sorted = [...this.values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
  }

  /** How many a second, had they run one after another. */
  sequentialRate(): number {
    return this.values.length / (this.values.reduce((sum, ms) => sum + ms, 0) / 1000);
  }

  summary() {
    return { n: this.values.length, p50: round(this.percentile(50)), p99: round(this.percentile(99)) };
  }
}

export function round(n: number, digits = 2): number {
  return Math.round(n * 10 ** digits) / 10 ** digits;
}

export async function timed(samples: Samples, work: () => Promise<unknown>): Promise<void> {
  const start = process.hrtime.bigint();
  await work();
  samples.add(Number(process.hrtime.bigint() - start) / 1e6);
}

export interface Row {
  scenario: string;
  n: number;
  p50: number;
  p99: number;
  target?: string;
  verdict?: string;
}

export function printTable(title: string, rows: Row[]): void {
  console.log(`\n${title}`);
  console.table(
    rows.map((r) => ({
      scenario: r.scenario,
      n: r.n,
      'p50 ms': r.p50,
      'p99 ms': r.p99,
      target: r.target ?? '',
      verdict: r.verdict ?? '',
    })),
  );
}

/** CPU seconds a process has used so far (0 once it ended). */
function cpuOf(pid: number): number {
  try {
    // utime and stime, in clock ticks (100 per second on Linux), after the command name.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/**
 * CPU seconds used so far by each named process (processes sharing a name are added up), by all
 * nats-server and PostgreSQL processes, and by this process (the load generator).
 */
/** The services' partition count: `PARLEY_PARTITIONS` as they read it, else the default. */
export const BENCH_PARTITIONS = Number(process.env.PARLEY_PARTITIONS ?? DEFAULT_PARTITIONS);

export function cpuSeconds(processes: Array<[string, number | undefined]>): Map<string, number> {
  const totals = new Map<string, number>();
  const add = (name: string, seconds: number) => totals.set(name, (totals.get(name) ?? 0) + seconds);
  for (const [name, pid] of processes) add(name, pid ? cpuOf(pid) : 0);
  for (const entry of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let command = '';
    try {
      command = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    const kind = command.includes('nats-server')
      ? 'nats-server'
      : command.startsWith('postgres')
        ? 'postgres'
        : '';
    if (kind) add(kind, cpuOf(Number(entry)));
  }
  add('load generator (this process)', cpuOf(process.pid));
  return totals;
}

export function load(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(opts, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

/**
 * Writes `count` message commands round-robin into the customers' conversations, straight to the
 * command stream as the gateway writes them (ids, message ids, partitions), 1,000 in flight at once.
 */
export async function writeBacklog(
  js: JetStreamClient,
  customers: Array<{ id: string; conversationId: string }>,
  count: number,
): Promise<void> {
  for (let i = 0; i < count; i += 1_000) {
    await Promise.all(
      Array.from({ length: Math.min(1_000, count - i) }, (_, k) => {
        const c = customers[(i + k) % customers.length];
        const command: PostMessage = {
          conversationId: c.conversationId,
          messageId: randomUUID(),
          body: `catch-up ${i + k}`,
          issuedBy: { id: c.id, role: 'customer' },
          acceptedAt: new Date().toISOString(),
        };
        return js.publish(
          subjectFor(PostMessage.subject, command, BENCH_PARTITIONS),
          JSON.stringify(command),
          {
            msgID: command.messageId,
          },
        );
      }),
    );
  }
}

/**
 * The accept scenario: `connections` keep-alive connections POST messages for `seconds`, each
 * request as the next customer, into that customer's conversation.
 */
export function postMessages(
  url: string,
  customers: Array<{ token: string; conversationId: string }>,
  connections: number,
  seconds: number,
): Promise<autocannon.Result> {
  let n = 0;
  return load({
    url,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        setupRequest: (req) => {
          const c = customers[n++ % customers.length];
          return {
            ...req,
            path: `/v1/conversations/${c.conversationId}/messages`,
            headers: { 'content-type': 'application/json', authorization: `Bearer ${c.token}` },
            body: JSON.stringify({ body: `accept ${n}` }),
          };
        },
      },
    ],
  });
}
