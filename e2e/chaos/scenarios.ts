import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { ParleySystem, SERVICE_NAMES, TestNatsCluster, waitFor } from '@parley/testing';
import { newAgent, newCustomer, openConversation, setPresence } from '../support/actors';
import { account, Accounting } from './checker';
import { Participant, Workload } from './workload';

export const SCENARIOS = [
  'kill-services',
  'kill-broker',
  'database-outage',
  'cluster-node',
  'poison',
] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface ScenarioResult extends Accounting {
  scenario: Scenario;
  seconds: number;
  faults: number;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const between = (min: number, max: number) => min + Math.random() * (max - min);

/** Injects one kind of fault, again and again, until the deadline; returns how many it injected. */
async function inject(
  scenario: Scenario,
  system: ParleySystem,
  deadline: number,
  rapid: boolean,
): Promise<number> {
  let faults = 0;
  const until = (ms: number) => Math.min(ms, Math.max(0, deadline - Date.now()));
  switch (scenario) {
    case 'kill-services':
      while (Date.now() < deadline - 3_000) {
        await pause(until(between(1_500, 3_500)));
        const service = system.services[SERVICE_NAMES[Math.floor(Math.random() * SERVICE_NAMES.length)]];
        await service.stop('SIGKILL');
        faults++;
        await pause(between(200, 1_500));
        await service.start();
      }
      break;
    case 'kill-broker':
      while (Date.now() < deadline - 6_000) {
        await pause(until(between(2_000, 4_000)));
        await system.nats.kill('SIGKILL');
        faults++;
        await pause(between(500, 2_500));
        await system.nats.start();
      }
      break;
    case 'database-outage': {
      await pause(until(3_000));
      const outage = Math.min(20_000, Math.max(5_000, deadline - Date.now() - 3_000));
      await system.database.block();
      faults++;
      await pause(outage);
      await system.database.unblock();
      break;
    }
    case 'cluster-node': {
      // One node killed and restarted under load; longer runs repeat it, giving the node time to
      // rejoin and catch up in between. `rapid` kills the next node soon after the last one is back.
      const { nodes } = system.nats as TestNatsCluster;
      while (Date.now() < deadline - 10_000) {
        await pause(until(rapid ? between(500, 1_500) : between(2_000, 3_000)));
        const node = nodes[Math.floor(Math.random() * nodes.length)];
        await node.kill('SIGKILL');
        faults++;
        await pause(rapid ? between(1_500, 3_000) : between(3_000, 5_000));
        await node.start();
        if (!rapid) await pause(until(10_000));
      }
      break;
    }
    case 'poison': {
      const nc = await connect({ servers: system.nats.url.split(',') });
      const js = (await jetstreamManager(nc)).jetstream();
      while (Date.now() < deadline - 1_000) {
        await pause(until(1_000));
        await js.publish('parley.cmd.0.conversation.message.post', 'not json at all');
        await js.publish(
          'parley.evt.0.message.created',
          JSON.stringify({ id: `poison-${faults}`, type: 'message.created' }),
        );
        faults += 2;
      }
      await nc.close();
      break;
    }
  }
  return faults;
}

/**
 * One chaos scenario on a fresh system: steady load for `seconds` while faults are injected, then
 * everything is healed, allowed to settle, and accounted for.
 */
export async function runScenario(
  scenario: Scenario,
  seconds: number,
  { rapid = false }: { rapid?: boolean } = {},
): Promise<ScenarioResult> {
  const cluster = scenario === 'cluster-node';
  // The agents keep the access tokens they signed in with for the whole run (`--minutes` may pass
  // the default 15 minutes); 24 hours is the most the gateway allows.
  const env = { PARLEY_ACCESS_TOKEN_TTL_SECONDS: String(24 * 3600) };
  const system = await ParleySystem.start(cluster ? { ...env, PARLEY_STREAM_REPLICAS: '3' } : env, {
    cluster,
  });
  let keep = false;
  try {
    const agents = [await newAgent(system, { capacity: 50 }), await newAgent(system, { capacity: 50 })];
    for (const agent of agents) await setPresence(system, agent, 'online');
    const participants: Participant[] = [];
    for (let i = 0; i < 4; i++) {
      const customer = await newCustomer(system);
      participants.push({
        customer,
        conversationId: (await openConversation(system, customer, { body: 'opening' })).id,
      });
    }
    const workload = new Workload(system, participants, agents);
    workload.start();
    const faults = await inject(scenario, system, Date.now() + seconds * 1000, rapid);
    await workload.stop();
    // Heal: whatever is down comes back, then every service must be ready again by itself.
    for (const service of Object.values(system.services)) if (!service.running) await service.start();
    for (const service of Object.values(system.services)) await service.waitReady(60_000);
    await waitFor('the gateway to answer', async () => (await fetch(`${system.gatewayUrl}/health/ready`)).ok);
    const accounting = await account(system, workload, participants, agents);
    keep = accounting.lost + accounting.duplicated > 0;
    return { scenario, seconds, faults, ...accounting };
  } finally {
    const kept = await system.stop({ keep });
    if (kept) console.log(`${scenario}: a message was lost or doubled; kept for a post-mortem: ${kept}`);
  }
}

export function printResults(results: ScenarioResult[]): void {
  console.table(
    results.map((r) => ({
      scenario: r.scenario,
      seconds: r.seconds,
      faults: r.faults,
      requests: r.requests,
      accepted: r.accepted,
      stored: r.stored,
      rejected: r.rejected,
      lost: r.lost,
      duplicated: r.duplicated,
      unexpected: r.unexpected,
      recovered: r.recovered,
      'seq gaps': r.seqGaps,
      'inbox issues': r.inboxProblems.length,
      'dead letters': r.deadLetters,
    })),
  );
  for (const r of results) for (const problem of r.inboxProblems) console.log(`${r.scenario}: ${problem}`);
  for (const r of results) for (const evidence of r.evidence) console.log(`${r.scenario}: ${evidence}`);
}
