import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { SEQ_MAX } from '@parley/contracts';
import { ParleySystem, waitFor, writeResults } from '@parley/testing';
import { customerMessage, offerAtRate } from './open-loop';
import * as support from './support';
import { FigureRow, round, Samples } from './support';

/**
 * Parley against its peer, ejabberd 23.01 (../shared/peers/ejabberd), in one run: Parley first, on
 * the peer's workload shapes (its phases a, a2, b, c, d, with the same sizes and environment
 * variables), then the peer's own run.sh (as root: it installs ejabberd from Debian, loopback
 * only), then one table of both. In Parley a sender is a customer POSTing into their conversation
 * and the recipient is the agent those conversations are assigned to, online over SSE or away.
 */
const env = process.env;
const SENDERS = Number(env.SENDERS ?? 10);
const MSGS = Number(env.MSGS_PER_SENDER ?? 2000);
const WINDOW = Number(env.WINDOW ?? 50);
const RATE = Number(env.RATE ?? 1000);
const RATE_SECS = Number(env.RATE_SECS ?? 10);
const OFFLINE = Number(env.OFFLINE_MSGS ?? 10000);
const MAM_QUERIES = Number(env.MAM_QUERIES ?? 200);
const PAGE = Number(env.MAM_PAGE ?? 50);
const BODY = Number(env.BODY_BYTES ?? 200);
const PHASE_TIMEOUT_MS = Number(env.PHASE_TIMEOUT_S ?? 180) * 1000;
/** The offline store's senders: the accept scenario's keep-alive connections. */
const CONNECTIONS = 64;
/** How far ahead of the peer Parley must be on the live and offline figures. */
const AHEAD = 3;
const ROOT = resolve(__dirname, '..');
const PEER_DIR = resolve(ROOT, env.BENCH_PEER_DIR ?? '../shared/peers/ejabberd');
/** The peer's main profile, whatever the environment says. */
const PEER_PROFILE = { STORAGE: 'mnesia-mem', MAM: '1', PHASES: 'a,a2,b,c' };
/**
 * How long the peer's phases may take: its default, 180 s, was not enough for its offline store on
 * 2026-12-08 (all 10,000 stored, the senders' pings still unanswered), so unless set, 600 s.
 */
const PEER_PHASE_TIMEOUT_S = env.PHASE_TIMEOUT_S ?? '600';

const pad = 'x'.repeat(BODY);
/** `<tag> <sender>:<k> ` padded to BODY characters, as the peer's bodies are. */
const text = (tag: string, id: string) => {
  const head = `${tag} ${id} `;
  return head + pad.slice(0, Math.max(0, BODY - head.length));
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function fail(message: string): never {
  console.error(`\npeer bench FAILED: ${message}\nNo comparison table: nothing was compared.`);
  process.exit(1);
}

/** Arrivals over the agent's SSE stream, by body: latency from send, each counted once. */
class Arrivals {
  readonly latency = new Samples();
  arrived = 0;
  repeated = 0;
  last = 0;
  private readonly sentAt = new Map<string, { at: number; done: () => void }>();
  private readonly seen = new Set<string>();

  /** Resolves when `body`, sent now, arrives, or after the phase timeout. */
  expect(body: string): Promise<void> {
    return new Promise((done) => {
      const timer = setTimeout(done, PHASE_TIMEOUT_MS);
      this.sentAt.set(body, {
        at: performance.now(),
        done: () => {
          clearTimeout(timer);
          done();
        },
      });
    });
  }

  sent(body: string, at: number): void {
    this.sentAt.set(body, { at, done: () => undefined });
  }

  forget(body: string): void {
    this.sentAt.get(body)?.done();
    this.sentAt.delete(body);
  }

  readonly created = (body: string): void => {
    const sent = this.sentAt.get(body);
    if (!sent) {
      if (this.seen.has(body)) this.repeated++;
      return;
    }
    this.sentAt.delete(body);
    this.seen.add(body);
    this.last = performance.now();
    this.latency.add(this.last - sent.at);
    this.arrived++;
    sent.done();
  };
}

/** VmHWM (peak) or the anonymous part of VmRSS (its own, not mapped files or shared memory) of a process, in MiB; 0 if gone. */
function memoryOf(pid: number, what: 'peak' | 'private'): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
    return (what === 'peak' ? kb('VmHWM') : kb('RssAnon')) / 1024;
  } catch {
    return 0;
  }
}

/** The nats-server process listening on the system's broker port, if it runs on this machine. */
function natsPid(url: string): number | undefined {
  const port = new URL(url).port;
  for (const entry of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (args[0].includes('nats-server') && args.some((a) => a === port || a.endsWith(`:${port}`)))
        return Number(entry);
    } catch {
      continue;
    }
  }
  return undefined;
}

/**
 * The peak, sampled each second, of the private memory of the PostgreSQL backends serving the
 * system's database (shared buffers, shared with the machine's other databases, not counted).
 */
function watchPostgres(url: string) {
  const db = new Client({ connectionString: url });
  let [peak, measurable] = [0, false];
  const sample = async () => {
    const { rows } = await db.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    const sum = rows.reduce((total, r) => total + memoryOf(r.pid, 'private'), 0);
    if (sum > 0) measurable = true;
    peak = Math.max(peak, sum);
  };
  const timer = setInterval(() => void sample().catch(() => undefined), 1000);
  return {
    start: () => db.connect(),
    stop: async () => {
      clearInterval(timer);
      await db.end();
      return measurable ? peak : undefined;
    },
  };
}

interface Parley {
  live: { rate: number; p50: number; p99: number; sent: number; arrived: number; repeated: number };
  fixed: { received: number; p50: number; p99: number; accepted: number; arrived: number; refused: number };
  offline: { stored: number; accepted: number; acceptSeconds: number; storedSeconds: number; non202: number };
  catchUp: {
    rate: number;
    messages: number;
    events: number;
    seconds: number;
    missing: number;
    duplicates: number;
    outOfOrder: number;
    pageP99: number;
  };
  archive: { p50: number; p99: number; conversation: number; newestFirstPage: boolean; walked: number };
  memory: { services: Record<string, number>; servicesTotal: number; nats?: number; postgres?: number };
  cpuMs: Record<string, Record<string, number>>;
}

async function measureParley(): Promise<Parley> {
  const system = await ParleySystem.start({
    LOG_LEVEL: 'error',
    ...support.LONG_ACCESS_TOKENS,
    // The peer's ten senders send 1,000s of messages a second each; the default 100 a second per
    // customer would answer most of them 429.
    PARLEY_RATE_LIMIT_PER_MINUTE: '10000000',
  });
  const postgres = watchPostgres(system.database.url);
  const db = new Client({ connectionString: system.database.url });
  const nc = await connect({ servers: system.nats.url });
  try {
    await postgres.start();
    await db.connect();
    const jsm = await jetstreamManager(nc);
    const drained = (what: string) =>
      waitFor(what, async () => (await support.consumerBacklog(jsm)) === 0, 600_000, 100);

    // The recipient (one agent) and two sets of senders: the live ones, and those who write to the
    // agent while away, each of whose conversations then holds OFFLINE / SENDERS messages.
    const agent = await support.onlineAgent(system);
    const live = await support.customersWithConversations(system, SENDERS, 'peer-live');
    const away = await support.customersWithConversations(system, SENDERS, 'peer-away');
    await support.assigned(system, agent.token, 2 * SENDERS);
    await drained('the setup to be applied');
    // CPU ms a message, by process, over a phase and until its messages were stored everywhere: the
    // services and the load generator (cpuSeconds' nats-server and PostgreSQL figures are the
    // machine's, whoever runs them, and lose the CPU of processes that exit, so they are left out).
    const cpu = () => support.cpuSeconds(Object.entries(system.services).map(([name, s]) => [name, s.pid]));
    const cpuMs: Record<string, Record<string, number>> = {};
    const cpuSince = (phase: string, before: Map<string, number>, messages: number) => {
      cpuMs[phase] = Object.fromEntries(
        [...cpu()]
          .filter(([name]) => name !== 'nats-server' && name !== 'postgres')
          .map(([name, s]) => [name, round((1000 * (s - (before.get(name) ?? 0))) / messages, 3)]),
      );
      console.log(`${phase}: CPU ms a message ${JSON.stringify(cpuMs[phase])}`);
    };

    let arrivals = new Arrivals();
    const stream = await support.agentStream(system, agent, (body) => arrivals.created(body));
    await waitFor('the agent online over SSE', async () => stream.readyState === stream.OPEN, 10_000, 50);
    await sleep(500);

    // a: each sender keeps at most WINDOW messages not yet arrived at the agent.
    console.log(`a: ${SENDERS} senders × ${MSGS} messages, ${WINDOW} in flight each…`);
    let cpuFrom = cpu();
    const started = performance.now();
    await Promise.all(
      live.map((customer, i) => {
        let k = 0;
        return Promise.all(
          Array.from({ length: WINDOW }, async () => {
            while (k < MSGS) {
              const body = text('A', `${i + 1}:${k++}`);
              const arrived = arrivals.expect(body);
              const request = customerMessage(customer, body);
              const res = await fetch(`${system.gatewayUrl}${request.path}`, {
                method: 'POST',
                headers: request.headers,
                body: request.body,
              });
              await res.arrayBuffer();
              if (res.status === 202) await arrived;
              else arrivals.forget(body);
            }
          }),
        );
      }),
    );
    const a = arrivals;
    const liveResult = {
      rate: round(a.arrived / ((a.last - started) / 1000), 0),
      ...a.latency.summary(),
      sent: SENDERS * MSGS,
      arrived: a.arrived,
      repeated: a.repeated,
    };
    console.log(`a: ${JSON.stringify(liveResult)}`);
    await drained('the live messages stored');
    cpuSince('a', cpuFrom, liveResult.arrived);

    // a2: RATE a second, whatever the answers do.
    console.log(`a2: ${RATE * RATE_SECS} messages at ${RATE} msg/s offered…`);
    arrivals = new Arrivals();
    const fixedBody = (i: number) => text('R', `${(i % SENDERS) + 1}:${i}`);
    cpuFrom = cpu();
    const offeredFrom = performance.now();
    const outcome = await offerAtRate({
      url: system.gatewayUrl,
      rate: RATE,
      total: RATE * RATE_SECS,
      connections: 256,
      status: 202,
      timeoutMs: 10_000,
      build: (i) => customerMessage(live[i % SENDERS], fixedBody(i)),
      sent: (i, at) => arrivals.sent(fixedBody(i), at),
    });
    let [seen, lastChange] = [-1, performance.now()];
    await waitFor(
      'the fixed-rate messages delivered',
      async () => {
        if (arrivals.arrived !== seen) [seen, lastChange] = [arrivals.arrived, performance.now()];
        return arrivals.arrived >= outcome.accepted || performance.now() - lastChange > 15_000;
      },
      900_000,
      100,
    );
    const fixed = {
      received: round(arrivals.arrived / ((arrivals.last - offeredFrom) / 1000), 0),
      ...arrivals.latency.summary(),
      accepted: outcome.accepted,
      arrived: arrivals.arrived,
      refused: outcome.refused,
    };
    console.log(`a2: ${JSON.stringify(fixed)}`);
    await drained('the fixed-rate messages stored');
    cpuSince('a2', cpuFrom, fixed.arrived);

    // b: the agent goes away (their stream closes); the away senders write OFFLINE messages to
    // them. Stored = answered 202 (in the command stream), then in history's archive and in the
    // agent's inbox, with every consumer caught up.
    stream.close();
    const awayFrom = await support.agentInboxEnd(system, agent.id);
    const inboxBefore = Number(
      (
        await db.query(
          'SELECT coalesce(max(cursor), 0) AS c FROM delivery.inbox_events WHERE principal_id = $1',
          [agent.id],
        )
      ).rows[0].c,
    );
    console.log(`b: ${OFFLINE} messages for the agent, away, over ${CONNECTIONS} connections…`);
    // The n-th request (from 1) is sender (n - 1) % SENDERS's message k = (n - 1) / SENDERS.
    const offlineId = (n: number) => `${((n - 1) % SENDERS) + 1}:${Math.floor((n - 1) / SENDERS)}`;
    const per = Math.ceil(OFFLINE / SENDERS);
    cpuFrom = cpu();
    const storeFrom = performance.now();
    const accept = await support.postMessages(
      system.gatewayUrl,
      away,
      CONNECTIONS,
      { amount: OFFLINE },
      (n) => text('B', offlineId(n)),
    );
    const acceptSeconds = (performance.now() - storeFrom) / 1000;
    const accepted = accept['2xx'];
    const conversations = away.map((c) => c.conversationId);
    await waitFor(
      'the offline messages stored',
      async () => {
        const { rows } = await db.query(
          `SELECT (SELECT count(*) FROM history.messages WHERE conversation_id = ANY($1))::int AS archived,
                  (SELECT count(*) FROM delivery.inbox_events WHERE principal_id = $2 AND cursor > $3)::int AS inbox`,
          [conversations, agent.id, inboxBefore],
        );
        return rows[0].archived >= accepted + SENDERS && rows[0].inbox >= accepted;
      },
      PHASE_TIMEOUT_MS,
      100,
    );
    await drained('the consumers caught up');
    const storedSeconds = (performance.now() - storeFrom) / 1000;
    cpuSince('b', cpuFrom, accepted);
    const offline = {
      stored: round(accepted / storedSeconds, 0),
      accepted: round(accepted / acceptSeconds, 0),
      acceptSeconds: round(acceptSeconds, 2),
      storedSeconds: round(storedSeconds, 2),
      non202: OFFLINE - accepted,
    };
    console.log(`b: ${JSON.stringify(offline)}`);

    // b, catch-up: the agent back reads their inbox from where they left.
    const expected = new Set<string>();
    for (let n = 1; n <= OFFLINE; n++) expected.add(offlineId(n));
    const got = new Map<string, number>();
    const lastOf = new Map<string, number>();
    let outOfOrder = 0;
    const read = await support.readInbox(system, agent.token, awayFrom, (event) => {
      const body = event.type === 'message.created' ? String(event.data.body) : '';
      if (!body.startsWith('B ')) return;
      const id = body.split(' ')[1];
      got.set(id, (got.get(id) ?? 0) + 1);
      const [sender, k] = id.split(':');
      if ((lastOf.get(sender) ?? -1) > Number(k)) outOfOrder++;
      lastOf.set(sender, Number(k));
    });
    const messages = [...got.values()].reduce((sum, n) => sum + n, 0);
    const catchUp = {
      rate: round(messages / read.seconds, 0),
      messages,
      events: read.events,
      seconds: round(read.seconds, 3),
      missing: [...expected].filter((id) => !got.has(id)).length,
      duplicates: messages - got.size,
      outOfOrder,
      pageP99: read.pages.summary().p99,
    };
    console.log(`b catch-up: ${JSON.stringify(catchUp)}`);

    // c: the last PAGE messages of the first away sender's conversation, MAM_QUERIES times, then
    // the whole conversation walked backwards.
    const pageOf = async (before: number) => {
      const res = await system.api(
        'GET',
        `/v1/conversations/${away[0].conversationId}/messages?before=${before}&limit=${PAGE}`,
        { token: agent.token },
      );
      if (res.status !== 200) throw new Error(`GET …/messages answered ${res.status}`);
      return res.body as { items: Array<{ seq: number; body: string }>; nextCursor: string | null };
    };
    const pages = new Samples();
    let newestFirstPage = false;
    for (let q = 0; q < MAM_QUERIES; q++) {
      let page: Awaited<ReturnType<typeof pageOf>> = { items: [], nextCursor: null };
      await support.timed(pages, async () => (page = await pageOf(SEQ_MAX)));
      if (q === 0)
        newestFirstPage =
          page.items.length === PAGE && page.items[PAGE - 1].body.startsWith(`B 1:${per - 1} `);
    }
    let [walked, before] = [0, SEQ_MAX];
    for (;;) {
      const page = await pageOf(before);
      walked += page.items.length;
      if (!page.nextCursor) break;
      before = Number(page.nextCursor);
    }
    const archive = { ...pages.summary(), conversation: per + 1, newestFirstPage, walked };
    console.log(`c: ${JSON.stringify(archive)}`);

    // d: peak memory.
    const services = Object.fromEntries(
      Object.entries(system.services).map(([name, s]) => [name, round(s.peakRssMiB() ?? 0, 1)]),
    );
    const nats = natsPid(system.nats.url);
    const memory = {
      services,
      servicesTotal: round(
        Object.values(services).reduce((sum, n) => sum + n, 0),
        1,
      ),
      nats: nats ? round(memoryOf(nats, 'peak'), 1) : undefined,
      postgres: undefined as number | undefined,
    };
    const pg = await postgres.stop();
    memory.postgres = pg === undefined ? undefined : round(pg, 1);
    console.log(`d: ${JSON.stringify(memory)}`);
    return { live: liveResult, fixed, offline, catchUp, archive, memory, cpuMs };
  } finally {
    await postgres.stop().catch(() => undefined);
    await nc.close();
    await db.end();
    await system.stop();
  }
}

/** The peer's results.json (bench.mjs), as far as this bench reads it. */
interface PeerResults {
  date: string;
  versions: Record<string, string>;
  a_online_throughput?: { msgs_per_s: number; p50_ms: number; p99_ms: number };
  a2_online_fixed_rate?: { received_msgs_per_s: number; p50_ms: number; p99_ms: number };
  b_offline_store?: { accept_msgs_per_s: number | null };
  b_offline_catchup?: { msgs_per_s: number };
  c_archive_query?: { p50_ms: number; p99_ms: number; conversation_count: number };
  d_beam_memory?: { peak_rss_vmhwm_mib: number };
  failed?: string;
}

/** The peer's results, or why there are none. */
function runPeer(): PeerResults | string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-peer-'));
  const results = join(dir, 'peer.json');
  try {
    console.log(`\nthe peer: ${join(PEER_DIR, 'run.sh')} (its output follows on stderr)…`);
    // Its output goes to stderr: stdout carries this bench's one table.
    const run = spawnSync(join(PEER_DIR, 'run.sh'), [], {
      cwd: PEER_DIR,
      stdio: ['ignore', 2, 2],
      env: { ...env, ...PEER_PROFILE, PHASE_TIMEOUT_S: PEER_PHASE_TIMEOUT_S, RESULTS: results },
      timeout: 30 * 60_000,
    });
    if (run.error) return `the ejabberd run could not run: ${run.error.message}`;
    if (run.status !== 0)
      return `the ejabberd run (${join(PEER_DIR, 'run.sh')}) exited with ${run.status ?? run.signal}; see its output above`;
    if (!existsSync(results)) return `the ejabberd run wrote no results to ${results}`;
    const raw = JSON.parse(readFileSync(results, 'utf8')) as PeerResults;
    return raw.failed ? `the ejabberd run failed: ${raw.failed}` : raw;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Row extends FigureRow {
  /** The peer's figure: `value`'s, or for a latency row, its p99 (p50 in `peerP50`). */
  peer?: number;
  peerP50?: number;
  /** How many times better Parley's figure is: its rate over the peer's, the peer's time or memory over its. */
  ahead?: number;
  /** As printed. */
  cells: [string, string];
}

function compare(parley: Parley, peer: PeerResults): Row[] {
  const rows: Row[] = [];
  const n = (x: number | null | undefined) =>
    x === null || x === undefined ? 'not run' : x.toLocaleString('en');
  /** `better`: whether a higher figure is better; `judged`: the ≥ 3× target applies, or why not. */
  const row = (
    scenario: string,
    unit: string,
    better: 'higher' | 'lower',
    judged: boolean | string,
    mine: { value: number; p50?: number },
    theirs: { value?: number | null; p50?: number },
  ) => {
    const peerValue = theirs.value ?? undefined;
    const ahead =
      peerValue === undefined || mine.value === 0
        ? undefined
        : round(better === 'higher' ? mine.value / peerValue : peerValue / mine.value, 2);
    const latency = mine.p50 !== undefined;
    const cell = (p50: number | undefined, value: number | null | undefined) =>
      latency ? `p50 ${n(p50)} / p99 ${n(value)} ${unit}` : `${n(value)} ${unit}`;
    const r: Row = {
      scenario,
      value: mine.value,
      unit,
      ...(latency ? { p50: mine.p50, p99: mine.value } : {}),
      peer: peerValue,
      ...(theirs.p50 !== undefined ? { peerP50: theirs.p50 } : {}),
      ahead,
      cells: [cell(mine.p50, mine.value), cell(theirs.p50, theirs.value)],
    };
    if (typeof judged === 'string') [r.target, r.verdict] = [judged, 'n/a'];
    else if (judged) {
      r.target = `≥ ${AHEAD}× ahead`;
      r.verdict = ahead !== undefined && ahead >= AHEAD ? 'met' : 'MISSED';
    }
    rows.push(r);
  };
  const rate = (scenario: string, judged: boolean | string, mine: number, theirs?: number | null) =>
    row(scenario, 'msg/s', 'higher', judged, { value: mine }, { value: theirs });
  const latency = (
    scenario: string,
    judged: boolean,
    mine: { p50: number; p99: number },
    theirs?: { p50_ms: number; p99_ms: number },
  ) =>
    row(
      scenario,
      'ms',
      'lower',
      judged,
      { value: mine.p99, p50: mine.p50 },
      { value: theirs?.p99_ms, p50: theirs?.p50_ms },
    );
  const memory = (scenario: string, mine: number) =>
    row(scenario, 'MiB', 'lower', false, { value: mine }, { value: peer.d_beam_memory?.peak_rss_vmhwm_mib });
  const count = (x: number) => x.toLocaleString('en');
  const { a_online_throughput: a, a2_online_fixed_rate: a2 } = peer;

  const offline = `offline store: ${count(OFFLINE)} messages for an away recipient`;
  rate(offline, true, parley.offline.stored, peer.b_offline_store?.accept_msgs_per_s);
  const live = `live, closed loop (${SENDERS} × ${count(MSGS)}, ${WINDOW} in flight each)`;
  rate(`${live}: rate`, true, parley.live.rate, a?.msgs_per_s);
  latency('live, closed loop: latency', true, parley.live, a);
  // At a fixed offered rate Parley can receive no more than it is offered.
  const cap = a2 ? RATE / a2.received_msgs_per_s : Infinity;
  const capped = `≥ ${AHEAD}× ahead: at most ${round(cap, 2)}× possible at ${count(RATE)}/s offered`;
  const fixed = `live at ${count(RATE)} msg/s offered`;
  rate(`${fixed}: received`, cap < AHEAD ? capped : true, parley.fixed.received, a2?.received_msgs_per_s);
  latency(`${fixed}: latency`, true, parley.fixed, a2);
  const back = `catch-up: the recipient back reads ${count(OFFLINE)} messages`;
  rate(back, false, parley.catchUp.rate, peer.b_offline_catchup?.msgs_per_s);
  const { archive, memory: used } = parley;
  const last = `archive: last ${PAGE} of a ${count(archive.conversation)}-message conversation, ${MAM_QUERIES}×`;
  latency(last, false, archive, peer.c_archive_query);
  memory(
    `peak memory: Parley's ${Object.keys(used.services).length} services (sum) vs beam.smp`,
    used.servicesTotal,
  );
  if (used.nats !== undefined && used.postgres !== undefined)
    memory(
      "peak memory: + nats-server + PostgreSQL's backends (private) vs beam.smp",
      round(used.servicesTotal + used.nats + used.postgres, 1),
    );
  return rows;
}

function printTable(rows: Row[]): void {
  const head = ['figure', 'Parley', 'ejabberd', 'Parley ahead', 'target', 'verdict'];
  const lines = rows.map((r) => [
    r.scenario,
    ...r.cells,
    r.ahead === undefined ? '' : `${r.ahead}×`,
    r.target ?? '',
    r.verdict ?? '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(line(head));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const l of lines) console.log(line(l));
}

async function main(): Promise<void> {
  // Before Parley's few minutes: the peer can run at all here.
  if (!existsSync(join(PEER_DIR, 'run.sh')))
    fail(`no peer benchmark at ${PEER_DIR} (set BENCH_PEER_DIR to the folder holding run.sh)`);
  if (process.getuid?.() !== 0)
    fail('the ejabberd run needs root: it installs ejabberd with apt-get and runs it as the ejabberd user');

  const parley = await measureParley();
  const peer = runPeer();
  if (typeof peer === 'string') fail(peer);
  const rows = compare(parley, peer);
  const machine = {
    cpus: cpus().length,
    cpu: cpus()[0]?.model,
    memoryGiB: round(totalmem() / 2 ** 30, 1),
    node: process.version,
  };
  console.log(
    `\nParley against ejabberd ${peer.versions.ejabberd} (${PEER_PROFILE.STORAGE}, MAM on), one run, ` +
      `${machine.cpus} cores / ${machine.memoryGiB} GiB, ${new Date().toISOString()}`,
  );
  printTable(rows);
  const file = writeResults('peer', {
    date: new Date().toISOString(),
    machine,
    settings: {
      senders: SENDERS,
      msgsPerSender: MSGS,
      window: WINDOW,
      rate: RATE,
      rateSeconds: RATE_SECS,
      offline: OFFLINE,
      archiveQueries: MAM_QUERIES,
      page: PAGE,
      bodyBytes: BODY,
      peer: `${PEER_DIR} ${Object.entries(PEER_PROFILE)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`,
    },
    rows: rows.map(({ cells: _cells, ...row }) => row),
    parley,
    peer,
  });
  console.log(`\nwritten to ${file}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
