import autocannon from 'autocannon';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { Client } from 'pg';
import { EventSource } from 'eventsource';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { DEFAULT_PARTITIONS, encodeInboxCursor, PostMessage, subjectFor } from '@parley/contracts';
import { backlogOf, ParleySystem, TEST_ADMIN_TOKEN, waitFor } from '@parley/testing';
import { Actor, newAgent } from '../e2e/support/actors';

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

/** A figure of a bench that measures rates, times and sizes: one row of its results and table. */
export interface FigureRow {
  scenario: string;
  value: number;
  unit: string;
  p50?: number;
  p99?: number;
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

/** The services' partition count: `PARLEY_PARTITIONS` as they read it, else the default. */
export const BENCH_PARTITIONS = Number(process.env.PARLEY_PARTITIONS ?? DEFAULT_PARTITIONS);

/**
 * CPU seconds used so far by each named process (processes sharing a name are added up), by all
 * nats-server and PostgreSQL processes, and by this process (the load generator).
 */
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
 * The accept scenario: `connections` keep-alive connections POST messages for `seconds` (or until
 * `{ amount }` were sent), each request as the next customer, into that customer's conversation.
 */
export function postMessages(
  url: string,
  customers: Array<{ token: string; conversationId: string }>,
  connections: number,
  seconds: number | { amount: number },
  body: (n: number) => string = (n) => `accept ${n}`,
): Promise<autocannon.Result> {
  let n = 0;
  return load({
    url,
    connections,
    ...(typeof seconds === 'number' ? { duration: seconds } : seconds),
    requests: [
      {
        method: 'POST',
        setupRequest: (req) => {
          const c = customers[n++ % customers.length];
          return {
            ...req,
            path: `/v1/conversations/${c.conversationId}/messages`,
            headers: { 'content-type': 'application/json', authorization: `Bearer ${c.token}` },
            body: JSON.stringify({ body: body(n) }),
          };
        },
      },
    ],
  });
}

/** A customer of a bench, and the conversation they opened. */
export interface BenchCustomer {
  id: string;
  token: string;
  conversationId: string;
}

/** The bench's agent, signed in and online: every conversation opened from here is theirs. */
export async function onlineAgent(system: ParleySystem): Promise<Actor> {
  const agent = await newAgent(system, { name: 'Bench', capacity: 1000 });
  await system.api('PUT', '/v1/agents/me/presence', {
    token: agent.token,
    body: { status: 'online' },
    headers: { prefer: 'wait=10' },
  });
  return agent;
}

/** `count` customers (`${prefix}-${i}`), each of whom opened a conversation with `start`. */
export async function customersWithConversations(
  system: ParleySystem,
  count: number,
  prefix: string,
): Promise<BenchCustomer[]> {
  const customers: BenchCustomer[] = [];
  for (let i = 0; i < count; i++) {
    const c = (
      await system.api('POST', '/v1/customers', {
        token: TEST_ADMIN_TOKEN,
        body: { externalId: `${prefix}-${i}` },
      })
    ).body;
    const opened = (
      await system.api('POST', '/v1/conversations', { token: c.token, body: { body: 'start' } })
    ).body;
    customers.push({ id: c.id, token: c.token, conversationId: opened.id });
  }
  return customers;
}

/** Waits until `count` conversations are assigned to the agent whose token this is. */
export function assigned(system: ParleySystem, token: string, count: number): Promise<unknown> {
  return waitFor(
    'assignments',
    async () => {
      const res = await system.api('GET', '/v1/conversations?assignee=me&limit=200', { token });
      return res.body.items?.length === count;
    },
    60_000,
  );
}

/** What the consumers still owe: pending and unacknowledged, over every consumer group. */
export async function consumerBacklog(jsm: JetStreamManager): Promise<number> {
  let sum = 0;
  for (const [stream, group] of [
    ['PARLEY_COMMANDS', 'conversation'],
    ['PARLEY_COMMANDS', 'history-commands'],
    ['PARLEY_EVENTS', 'history'],
    ['PARLEY_EVENTS', 'delivery'],
  ]) {
    const b = await backlogOf(jsm, stream, group);
    sum += b.pending + b.ackPending;
  }
  return sum;
}

/** The agent's newest inbox cursor, read where delivery keeps it (a client would page to it). */
export async function agentInboxEnd(system: ParleySystem, agentId: string): Promise<string> {
  const db = new Client({ connectionString: system.database.url });
  await db.connect();
  try {
    const { rows } = await db.query(
      'SELECT coalesce(max(cursor), 0)::text AS cursor FROM delivery.inbox_events WHERE principal_id = $1',
      [agentId],
    );
    return encodeInboxCursor(rows[0].cursor);
  } finally {
    await db.end();
  }
}

/**
 * The agent's SSE stream from the end of their inbox: `created` is told each message's body as
 * it arrives.
 */
export async function agentStream(
  system: ParleySystem,
  agent: Actor,
  created: (body: string) => void,
): Promise<EventSource> {
  const stream = new EventSource(
    `${system.gatewayUrl}/v1/inbox/stream?cursor=${await agentInboxEnd(system, agent.id)}`,
    {
      fetch: (input, init) =>
        fetch(input, {
          ...init,
          headers: { ...(init?.headers as object), authorization: `Bearer ${agent.token}` },
        }),
    },
  );
  stream.addEventListener('message.created', (e) => created(JSON.parse(e.data).data.body as string));
  return stream;
}

export interface InboxRead {
  events: number;
  seconds: number;
  /** Each page's GET, in ms. */
  pages: Samples;
}

/**
 * The user's side of a catch-up: someone back after being away pages through everything that
 * arrived meanwhile, as a client would (`GET /v1/inbox`, the largest page), until nothing is left;
 * `each` sees every event.
 */
export async function readInbox(
  system: ParleySystem,
  token: string,
  from: string,
  each: (event: { type: string; data: Record<string, unknown> }) => void = () => undefined,
): Promise<InboxRead> {
  const pages = new Samples();
  let [cursor, events] = [from, 0];
  const started = performance.now();
  for (;;) {
    let page: { events: Array<{ type: string; data: Record<string, unknown> }>; nextCursor: string } = {
      events: [],
      nextCursor: cursor,
    };
    await timed(pages, async () => {
      const res = await system.api('GET', `/v1/inbox?limit=200&cursor=${cursor}`, { token });
      if (res.status !== 200) throw new Error(`GET /v1/inbox answered ${res.status}`);
      page = res.body;
    });
    if (!page.events.length) break;
    page.events.forEach(each);
    [cursor, events] = [page.nextCursor, events + page.events.length];
  }
  return { events, seconds: (performance.now() - started) / 1000, pages };
}
