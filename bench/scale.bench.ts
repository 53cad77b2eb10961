import 'reflect-metadata';
import { Client } from 'pg';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { DEFAULT_PARTITIONS } from '@parley/contracts';
import { ParleySystem, ServiceName, ServiceProcess, waitFor, writeResults } from '@parley/testing';
import { customerMessage, offerAtRate } from './open-loop';
import {
  consumerBacklog,
  customersWithConversations,
  cpuSeconds,
  LONG_ACCESS_TOKENS,
  onlineAgent,
  postMessages,
  round,
  writeBacklog,
} from './support';

/**
 * One against two processes of each consuming service (conversation, history, delivery), measured
 * in the same run on a fresh system each: the gateway's accept rate with the consumers keeping up,
 * and the catch-up of a backlog written while the consumers were away, each with the CPU every
 * message cost all processes together (services, nats-server, PostgreSQL). On one machine the
 * second process cannot add cores; what it may add is overhead per message, which is the figure
 * this bench watches (partitions, leases, fencing and the per-recipient inbox locks).
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CATCH_UP = Number(process.env.BENCH_CATCHUP ?? 50_000);
/**
 * The offered rate of the steady phase: well below what one process of each accepts, so that both
 * configurations do the same work and the CPU per message shows the second process's overhead
 * rather than two cores shared by more processes at saturation.
 */
const STEADY_RATE = Number(process.env.BENCH_SCALE_RATE ?? 300);
const CONNECTIONS = 64;
const CONSUMING: ServiceName[] = ['conversation', 'history', 'delivery'];

interface Measured {
  processes: number;
  acceptRate: number;
  acceptCpuMs: number;
  steadyRate: number;
  steadyCpuMs: number;
  catchUpRate: number;
  catchUpCpuMs: number;
  /** Time from the consumers' start until every partition had an owner. */
  ownedAfterMs: number;
  /** CPU ms per message by kind of process (services added up over their processes). */
  acceptCpuMsBy: Record<string, number>;
  steadyCpuMsBy: Record<string, number>;
  catchUpCpuMsBy: Record<string, number>;
}

async function measure(processes: number): Promise<Measured> {
  const system = await ParleySystem.start({ LOG_LEVEL: 'error', ...LONG_ACCESS_TOKENS });
  const db = new Client({ connectionString: system.database.url });
  await db.connect();
  const nc = await connect({ servers: system.nats.url });
  const jsm = await jetstreamManager(nc);
  try {
    const consumers: Array<[ServiceName, ServiceProcess]> = CONSUMING.map((name) => [
      name,
      system.services[name],
    ]);
    for (let i = 1; i < processes; i++)
      for (const name of CONSUMING) consumers.push([name, await system.startReplica(name)]);
    const allOwned = async () => {
      for (const name of CONSUMING) {
        const { rows } = await db.query<{ owners: number; free: number }>(
          `SELECT count(DISTINCT owner) FILTER (WHERE expires_at > now())::int AS owners,
                  count(*) FILTER (WHERE owner IS NULL OR expires_at <= now())::int AS free
             FROM "${name}".partition_leases`,
        );
        if (rows[0].free > 0 || rows[0].owners !== processes) return false;
      }
      return true;
    };
    await waitFor('every partition owned, shared by every process', allOwned, 60_000, 100);
    const cpu = () =>
      cpuSeconds([
        ['gateway', system.services.gateway.pid],
        ...consumers.map(([name, p]) => [name, p.pid] as [string, number | undefined]),
      ]);
    const total = (before: Map<string, number>, after: Map<string, number>) =>
      [...after].reduce((sum, [name, s]) => sum + s - (before.get(name) ?? 0), 0);
    const perMessage = (before: Map<string, number>, after: Map<string, number>, messages: number) =>
      Object.fromEntries(
        [...after].map(([name, s]) => [name, round((1000 * (s - (before.get(name) ?? 0))) / messages, 3)]),
      );
    const backlog = () => consumerBacklog(jsm);

    await onlineAgent(system);
    const customers = await customersWithConversations(system, CONNECTIONS, 'scale');
    await waitFor('the setup to be applied', async () => (await backlog()) === 0, 60_000, 200);

    // Accept, with every consumer keeping up on the same cores; its CPU counts until they caught up.
    const beforeAccept = cpu();
    const accept = await postMessages(system.gatewayUrl, customers, CONNECTIONS, SECONDS);
    await waitFor('the accepted messages handled', async () => (await backlog()) === 0, 600_000, 200);
    const afterAccept = cpu();
    const acceptCpu = total(beforeAccept, afterAccept);

    // Steady: a fixed rate, offered whatever the answers do; CPU counts until the consumers caught up.
    const beforeSteady = cpu();
    const steady = await offerAtRate({
      url: system.gatewayUrl,
      rate: STEADY_RATE,
      total: STEADY_RATE * SECONDS,
      connections: CONNECTIONS,
      status: 202,
      timeoutMs: 10_000,
      build: (i) => customerMessage(customers[i % customers.length], `steady ${i}`),
      sent: () => undefined,
    });
    await waitFor('the steady messages handled', async () => (await backlog()) === 0, 600_000, 200);
    const afterSteady = cpu();

    // Catch-up: the consumers away while a backlog is written as the gateway writes it.
    await Promise.all(consumers.map(([, p]) => p.stop('SIGTERM')));
    const js = jsm.jetstream();
    await writeBacklog(js, customers, CATCH_UP);
    const beforeCatchUp = cpu();
    const started = performance.now();
    await Promise.all(consumers.map(([, p]) => p.start()));
    await waitFor('every partition owned again', allOwned, 60_000, 100);
    const ownedAfterMs = performance.now() - started;
    await waitFor('the backlog handled', async () => (await backlog()) === 0, 1_800_000, 200);
    const seconds = (performance.now() - started) / 1000;
    const afterCatchUp = cpu();
    const catchUpCpu = total(beforeCatchUp, afterCatchUp);
    return {
      processes,
      acceptRate: accept['2xx'] / SECONDS,
      acceptCpuMs: (1000 * acceptCpu) / accept['2xx'],
      steadyRate: steady.accepted / steady.seconds,
      steadyCpuMs: (1000 * total(beforeSteady, afterSteady)) / steady.accepted,
      catchUpRate: CATCH_UP / seconds,
      catchUpCpuMs: (1000 * catchUpCpu) / CATCH_UP,
      ownedAfterMs,
      acceptCpuMsBy: perMessage(beforeAccept, afterAccept, accept['2xx']),
      steadyCpuMsBy: perMessage(beforeSteady, afterSteady, steady.accepted),
      catchUpCpuMsBy: perMessage(beforeCatchUp, afterCatchUp, CATCH_UP),
    };
  } finally {
    await nc.close();
    await db.end();
    await system.stop();
  }
}

async function main(): Promise<void> {
  const one = await measure(1);
  const two = await measure(2);
  const rows = [one, two].map((m) => ({
    'processes of each consumer': m.processes,
    'accept msg/s': round(m.acceptRate, 0),
    'CPU per accepted message, ms': round(m.acceptCpuMs, 3),
    [`steady at ${STEADY_RATE} msg/s: CPU per message, ms`]: round(m.steadyCpuMs, 3),
    [`catch-up of ${CATCH_UP.toLocaleString()} msg/s`]: round(m.catchUpRate, 0),
    'CPU per caught-up message, ms': round(m.catchUpCpuMs, 3),
    'partitions owned after start, ms': round(m.ownedAfterMs, 0),
  }));
  console.table(rows);
  console.log('CPU per message by process, ms (1 → 2 processes of each consumer):');
  console.table(
    Object.keys(two.catchUpCpuMsBy).map((name) => ({
      process: name,
      'accept, 1': one.acceptCpuMsBy[name],
      'accept, 2': two.acceptCpuMsBy[name],
      'steady, 1': one.steadyCpuMsBy[name],
      'steady, 2': two.steadyCpuMsBy[name],
      'catch-up, 1': one.catchUpCpuMsBy[name],
      'catch-up, 2': two.catchUpCpuMsBy[name],
    })),
  );
  const cost = (of: (m: Measured) => number) => (100 * (of(two) - of(one))) / of(one);
  const acceptCost = cost((m) => m.acceptCpuMs);
  const steadyCost = cost((m) => m.steadyCpuMs);
  const catchUpCost = cost((m) => m.catchUpCpuMs);
  const verdict = (percent: number) => `${round(percent, 1)}% [≤ 10%: ${percent <= 10 ? 'met' : 'MISSED'}]`;
  console.log(
    `second process, CPU per message: accept at saturation ${verdict(acceptCost)}, ` +
      `steady at ${STEADY_RATE} msg/s ${verdict(steadyCost)}, catch-up ${verdict(catchUpCost)}`,
  );
  const file = writeResults('scale', {
    date: new Date().toISOString(),
    catchUp: CATCH_UP,
    seconds: SECONDS,
    steadyRate: STEADY_RATE,
    partitions: DEFAULT_PARTITIONS,
    one,
    two,
    secondProcessCpuPerMessagePercent: { accept: acceptCost, steady: steadyCost, catchUp: catchUpCost },
  });
  console.log(`written to ${file}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
