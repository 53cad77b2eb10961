import autocannon from 'autocannon';
import Fastify from 'fastify';
import { cpus, totalmem } from 'node:os';
import { Client } from 'pg';
import { EventSource } from 'eventsource';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { freePort, ParleySystem, TEST_ADMIN_TOKEN, waitFor } from '@parley/testing';
import { round, Samples, writeResults } from './support';

/**
 * The whole system against the machine's own limits, measured in one run: raw JetStream publish,
 * a bare Fastify server under the same load generator, and raw multi-row INSERTs; then Parley's
 * accept rate, end-to-end latency at fixed offered rates, catch-up after an outage, and memory.
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 64;
const CATCH_UP = Number(process.env.BENCH_CATCHUP ?? 100_000);
const RATES = (process.env.BENCH_RATES ?? '500,1000,2000').split(',').map(Number);

interface Row {
  scenario: string;
  value: number;
  unit: string;
  p50?: number;
  p99?: number;
  errors?: number;
  target?: string;
  verdict?: string;
}

const rows: Row[] = [];

/** Records a row and prints it at once: a long run shows its figures as it goes. */
function record(row: Row): void {
  rows.push(row);
  console.log(
    `${row.scenario}: ${row.value} ${row.unit}` +
      (row.p99 !== undefined ? ` (p50 ${row.p50} ms, p99 ${row.p99} ms)` : '') +
      (row.errors ? `, ${row.errors} errors` : '') +
      (row.verdict ? ` [${row.target}: ${row.verdict}]` : ''),
  );
}
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

function load(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(opts, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

async function natsBaseline(url: string): Promise<void> {
  const nc = await connect({ servers: url });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: 'BENCH', subjects: ['bench.>'] });
  const js = jetstream(nc);
  const payload = new Uint8Array(200);
  const total = 20_000;
  const started = performance.now();
  for (let i = 0; i < total; i += 1_000) {
    await Promise.all(Array.from({ length: 1_000 }, () => js.publish('bench.x', payload)));
  }
  const rate = total / ((performance.now() - started) / 1000);
  record({
    scenario: 'baseline: JetStream publish, pipelined (200 B, file store)',
    value: round(rate, 0),
    unit: 'msg/s',
  });
  await jsm.streams.delete('BENCH');
  await nc.close();
}

async function fastifyBaseline(): Promise<number> {
  const app = Fastify();
  app.post('/hello', async () => ({ id: 'x' }));
  const port = await freePort();
  await app.listen({ port, host: '127.0.0.1' });
  const result = await load({
    url: `http://127.0.0.1:${port}/hello`,
    method: 'POST',
    body: JSON.stringify({ body: 'hello' }),
    headers: { 'content-type': 'application/json' },
    connections: CONNECTIONS,
    duration: SECONDS,
  });
  await app.close();
  record({
    scenario: `baseline: bare Fastify POST, ${CONNECTIONS} connections`,
    value: round(result.requests.average, 0),
    unit: 'req/s',
    p50: result.latency.p50,
    p99: result.latency.p99,
  });
  return result.requests.average;
}

async function postgresBaseline(url: string): Promise<void> {
  const db = new Client({ connectionString: url });
  await db.connect();
  await db.query('CREATE TABLE bench_rows (id bigserial PRIMARY KEY, body text NOT NULL)');
  const body = 'x'.repeat(200);
  const started = performance.now();
  for (let i = 0; i < 100; i++) {
    await db.query('INSERT INTO bench_rows (body) SELECT $1 FROM generate_series(1, 1000)', [body]);
  }
  record({
    scenario: 'baseline: PostgreSQL multi-row INSERT (1,000 per statement)',
    value: round(100_000 / ((performance.now() - started) / 1000), 0),
    unit: 'rows/s',
  });
  await db.query('DROP TABLE bench_rows');
  await db.end();
}

async function main(): Promise<void> {
  const system = await ParleySystem.start({ LOG_LEVEL: 'error' });
  try {
    await natsBaseline(system.nats.url);
    const bare = await fastifyBaseline();
    await postgresBaseline(system.database.url);

    // People: one agent (online, takes every conversation), 64 customers with a conversation each.
    const agent = (
      await system.api('POST', '/v1/agents', {
        token: TEST_ADMIN_TOKEN,
        body: { name: 'Bench', email: 'b@example.com', capacity: 1000 },
      })
    ).body;
    await system.api('PUT', '/v1/agents/me/presence', { token: agent.token, body: { status: 'online' } });
    const customers: Array<{ token: string; conversationId: string }> = [];
    for (let i = 0; i < CONNECTIONS; i++) {
      const c = (
        await system.api('POST', '/v1/customers', {
          token: TEST_ADMIN_TOKEN,
          body: { externalId: `bench-${i}` },
        })
      ).body;
      const opened = (
        await system.api('POST', '/v1/conversations', { token: c.token, body: { body: 'start' } })
      ).body;
      customers.push({ token: c.token, conversationId: opened.id });
    }
    await waitFor(
      'assignments',
      async () => {
        const res = await system.api('GET', '/v1/conversations?assignee=me&limit=200', {
          token: agent.token,
        });
        return res.body.items?.length === CONNECTIONS;
      },
      60_000,
    );

    // Accept: POST a message, many customers over keep-alive connections.
    let n = 0;
    const accept = await load({
      url: system.gatewayUrl,
      connections: CONNECTIONS,
      duration: SECONDS,
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
    const acceptRate = accept.requests.average;
    record({
      scenario: `accept: POST …/messages, ${CONNECTIONS} connections`,
      value: round(acceptRate, 0),
      unit: 'req/s',
      p50: accept.latency.p50,
      p99: accept.latency.p99,
      errors: accept.non2xx + accept.errors + accept.timeouts,
      target: '≥ 50% of bare Fastify, p99 < 25 ms',
      verdict: acceptRate >= bare / 2 && accept.latency.p99 < 25 ? 'met' : 'MISSED',
    });
    record({
      scenario: 'accept as share of bare Fastify',
      value: round((100 * acceptRate) / bare, 1),
      unit: '%',
    });

    // End to end: POST → the agent's SSE stream, at fixed offered rates.
    await waitFor('the backlog to drain', async () => (await backlog(system)) === 0, 300_000, 500);
    const sentAt = new Map<string, number>();
    const latency = new Map<number, Samples>();
    let rate = 0;
    const stream = new EventSource(
      `${system.gatewayUrl}/v1/inbox/stream?cursor=${await lastCursor(system, agent.token)}`,
      {
        fetch: (input, init) =>
          fetch(input, {
            ...init,
            headers: { ...(init?.headers as object), authorization: `Bearer ${agent.token}` },
          }),
      },
    );
    stream.addEventListener('message.created', (e) => {
      const body = JSON.parse(e.data).data.body as string;
      const at = sentAt.get(body);
      if (at !== undefined) latency.get(rate)?.add(performance.now() - at);
    });
    await pause(500);
    for (rate of RATES) {
      const samples = new Samples();
      latency.set(rate, samples);
      const started = performance.now();
      const total = rate * SECONDS;
      const inflight: Promise<unknown>[] = [];
      for (let i = 0; i < total; i++) {
        const due = started + (i * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 1) await pause(wait);
        const c = customers[i % customers.length];
        const body = `e2e ${rate} ${i}`;
        sentAt.set(body, performance.now());
        inflight.push(
          fetch(`${system.gatewayUrl}/v1/conversations/${c.conversationId}/messages`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${c.token}` },
            body: JSON.stringify({ body }),
          }).then((r) => r.arrayBuffer()),
        );
      }
      await Promise.allSettled(inflight);
      const achieved = total / ((performance.now() - started) / 1000);
      await waitFor(
        `the ${rate}/s run delivered`,
        async () => samples.values.length >= total * 0.999 || undefined,
        120_000,
        250,
      ).catch(() => undefined);
      const { p50, p99 } = samples.summary();
      record({
        scenario: `end to end at ${rate} msg/s offered (POST → SSE)`,
        value: round(achieved, 0),
        unit: 'msg/s sent',
        p50,
        p99,
        errors: total - samples.values.length,
        target: rate === 1000 ? 'p99 < 50 ms' : undefined,
        verdict: rate === 1000 ? (p99 < 50 ? 'met' : 'MISSED') : undefined,
      });
    }
    stream.close();

    // Catch-up: history and delivery away while messages are accepted; then both come back.
    await waitFor('the backlog to drain', async () => (await backlog(system)) === 0, 600_000, 500);
    await system.services.history.stop('SIGTERM');
    await system.services.delivery.stop('SIGTERM');
    const before = await streamLast(system);
    let m = 0;
    await load({
      url: system.gatewayUrl,
      connections: CONNECTIONS,
      amount: CATCH_UP,
      requests: [
        {
          method: 'POST',
          setupRequest: (req) => {
            const c = customers[m++ % customers.length];
            return {
              ...req,
              path: `/v1/conversations/${c.conversationId}/messages`,
              headers: { 'content-type': 'application/json', authorization: `Bearer ${c.token}` },
              body: JSON.stringify({ body: `catch-up ${m}` }),
            };
          },
        },
      ],
    });
    await waitFor(
      'the conversation service to emit every event',
      async () => (await pendingOf(system, 'PARLEY_COMMANDS', 'conversation')) === 0,
      900_000,
      500,
    );
    const events = (await streamLast(system)) - before;
    const restarted = performance.now();
    await Promise.all([system.services.history.start(), system.services.delivery.start()]);
    for (const durable of ['history', 'delivery']) {
      await waitFor(
        `${durable} to catch up`,
        async () => (await pendingOf(system, 'PARLEY_EVENTS', durable)) === 0,
        1_800_000,
        200,
      );
      const rate = events / ((performance.now() - restarted) / 1000);
      record({
        scenario: `catch-up: ${durable} after ${events.toLocaleString()} events (${CATCH_UP.toLocaleString()} messages)`,
        value: round(rate, 0),
        unit: 'events/s',
        target: '≥ 10,000 events/s',
        verdict: rate >= 10_000 ? 'met' : 'MISSED',
      });
    }

    for (const [name, service] of Object.entries(system.services)) {
      const peak = service.peakRssMiB() ?? 0;
      record({
        scenario: `peak RSS: ${name}`,
        value: round(peak, 0),
        unit: 'MiB',
        target: '< 200 MB',
        verdict: peak * 1.048576 < 200 ? 'met' : 'MISSED',
      });
    }
  } finally {
    await system.stop();
  }
  console.log('\nParley against the machine (one run, same box)');
  console.table(
    rows.map((r) => ({
      scenario: r.scenario,
      value: r.value,
      unit: r.unit,
      'p50 ms': r.p50 ?? '',
      'p99 ms': r.p99 ?? '',
      errors: r.errors ?? '',
      target: r.target ?? '',
      verdict: r.verdict ?? '',
    })),
  );
  const file = writeResults('system', {
    date: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpu: cpus()[0]?.model,
      memoryGiB: round(totalmem() / 2 ** 30, 1),
      node: process.version,
    },
    settings: { seconds: SECONDS, connections: CONNECTIONS, catchUp: CATCH_UP, rates: RATES },
    rows,
  });
  console.log(`\nwritten to ${file}`);
}

async function lastCursor(system: ParleySystem, token: string): Promise<string> {
  let cursor = '';
  for (;;) {
    const res = await system.api('GET', `/v1/inbox?limit=200${cursor ? `&cursor=${cursor}` : ''}`, { token });
    if (!res.body.events.length) return cursor;
    cursor = res.body.nextCursor;
  }
}

async function withJsm<T>(
  system: ParleySystem,
  work: (jsm: Awaited<ReturnType<typeof jetstreamManager>>) => Promise<T>,
): Promise<T> {
  const nc = await connect({ servers: system.nats.url });
  try {
    return await work(await jetstreamManager(nc));
  } finally {
    await nc.close();
  }
}

const pendingOf = (system: ParleySystem, stream: string, durable: string) =>
  withJsm(system, async (jsm) => {
    const info = await jsm.consumers.info(stream, durable);
    return info.num_pending + info.num_ack_pending;
  });

const streamLast = (system: ParleySystem) =>
  withJsm(system, async (jsm) => (await jsm.streams.info('PARLEY_EVENTS')).state.last_seq);

async function backlog(system: ParleySystem): Promise<number> {
  const parts = await Promise.all([
    pendingOf(system, 'PARLEY_COMMANDS', 'conversation'),
    pendingOf(system, 'PARLEY_EVENTS', 'history'),
    pendingOf(system, 'PARLEY_EVENTS', 'delivery'),
  ]);
  return parts.reduce((a, b) => a + b, 0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
