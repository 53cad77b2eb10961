import 'reflect-metadata';
import { cpus, totalmem } from 'node:os';
import { Client } from 'pg';
import { ParleySystem, writeResults } from '@parley/testing';
import { newAgent } from '../e2e/support/actors';
import { LONG_ACCESS_TOKENS, printTable, round, Row, Samples, timed } from './support';

/**
 * The conversation list at scale: 100,000 conversations (two messages each) in PostgreSQL, then
 * first pages of 50 through the gateway (HTTP → NATS request/reply → conversation → PostgreSQL),
 * filtered by label, status, priority, assignee and team in combinations, against the unfiltered
 * first page measured in the same run. The plan of each filtered statement is recorded: which
 * indexes served it.
 */
const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? 100_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 300);
const LABELS = 10;
const AGENTS = 20;
const TEAMS = ['billing', 'shipping', 'returns', 'tech', 'sales'];

/**
 * Conversations spread as a busy installation's: 60% resolved, a sixth unassigned, a third without
 * a team, a third with a label (each label on about 4%), some with two; the bench's agent has 1 in
 * 20. Each field follows its own modulus, so every combination the scenarios ask for occurs.
 */
async function seed(db: Client, benchAgent: string): Promise<number> {
  const started = Date.now();
  await db.query(
    `INSERT INTO conversation.labels (id, name, colour, created_at)
     SELECT 'l' || n, 'label ' || n, '#d93f0b', now() FROM generate_series(0, $1 - 1) n`,
    [LABELS],
  );
  await db.query(
    `INSERT INTO conversation.customers (id, external_id, name)
     SELECT 'u' || n, 'crm-' || n, 'Customer ' || n FROM generate_series(0, $1 / 10) n`,
    [CONVERSATIONS],
  );
  await db.query(
    `INSERT INTO conversation.conversations
       (id, customer_id, subject, status, priority, assignee_id, team, last_seq, last_message_at,
        last_message_preview, queued_at, created_at, labels)
     SELECT 'c' || n, 'u' || (n / 10), 'Subject ' || n,
            CASE WHEN n % 20 < 5 THEN 'open' WHEN n % 20 < 7 THEN 'pending' WHEN n % 20 = 7 THEN 'snoozed'
                 ELSE 'resolved' END,
            (ARRAY['low', 'normal', 'normal', 'high', 'urgent'])[1 + n % 7 % 5],
            CASE WHEN n % 3 = 1 AND n % 2 = 0 THEN NULL WHEN n % 20 = 3 THEN $2 ELSE 'a' || (n % $3) END,
            CASE WHEN n % 11 < 4 THEN NULL ELSE (ARRAY['billing', 'shipping', 'returns', 'tech', 'sales'])[1 + n % 11 % 5] END,
            2, now() - (n * interval '17 seconds'), 'The latest message of ' || n,
            CASE WHEN n % 3 = 1 AND n % 2 = 0 THEN now() - (n * interval '17 seconds') END,
            now() - (n * interval '17 seconds') - interval '1 hour',
            CASE WHEN n % 13 < 4 AND n % 17 < 3 THEN ARRAY['l' || (n % $4), 'l' || ((n / 3 + 1) % $4)]
                 WHEN n % 13 < 4 THEN ARRAY['l' || (n % $4)]
                 WHEN n % 17 < 3 THEN ARRAY['l' || ((n / 3) % $4)]
                 ELSE '{}' END
       FROM generate_series(1, $1) n`,
    [CONVERSATIONS, benchAgent, AGENTS, LABELS],
  );
  await db.query(
    `INSERT INTO conversation.conversation_entries (id, conversation_id, seq, author_id, author_role, type, created_at)
     SELECT 'm' || n || '-' || s, 'c' || n, s, CASE s WHEN 1 THEN 'u' || (n / 10) ELSE 'a' || (n % $2) END,
            CASE s WHEN 1 THEN 'customer' ELSE 'agent' END, 'message', now() - (n * interval '17 seconds')
       FROM generate_series(1, $1) n CROSS JOIN generate_series(1, 2) s`,
    [CONVERSATIONS, AGENTS],
  );
  await db.query('ANALYZE conversation.conversations');
  await db.query('ANALYZE conversation.conversation_entries');
  await db.query('ANALYZE conversation.customers');
  return (Date.now() - started) / 1000;
}

/** The indexes a plan reads, from EXPLAIN (FORMAT JSON). */
function indexesOf(plan: Record<string, unknown>): string[] {
  const own = typeof plan['Index Name'] === 'string' ? [plan['Index Name']] : [];
  const children = (plan.Plans as Array<Record<string, unknown>> | undefined) ?? [];
  return [...own, ...children.flatMap(indexesOf)];
}

async function main(): Promise<void> {
  const system = await ParleySystem.start({ LOG_LEVEL: 'error', ...LONG_ACCESS_TOKENS });
  const db = new Client({ connectionString: system.database.url });
  try {
    await db.connect();
    const agent = await newAgent(system, { name: 'Bench' });
    console.log(`seeding ${CONVERSATIONS.toLocaleString()} conversations…`);
    const seedSeconds = await seed(db, agent.id);
    console.log(`seeded in ${round(seedSeconds, 1)} s`);

    const get = async (path: string) => {
      const res = await fetch(`${system.gatewayUrl}${path}`, {
        headers: { authorization: `Bearer ${agent.token}` },
      });
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as { items: unknown[] };
    };
    const label = (i: number) => `l${i % LABELS}`;
    const team = (i: number) => TEAMS[i % TEAMS.length];
    const scenarios: Array<{ scenario: string; path: (i: number) => string; baseline?: true }> = [
      {
        scenario: 'first page, unfiltered (baseline)',
        path: () => '/v1/conversations?limit=50',
        baseline: true,
      },
      {
        scenario: 'label + status + assignee (me)',
        path: (i) => `/v1/conversations?labels=${label(i)}&status=open&assignee=me&limit=50`,
      },
      {
        scenario: 'label + status + unassigned',
        path: (i) => `/v1/conversations?labels=${label(i)}&status=open&assignee=none&limit=50`,
      },
      {
        scenario: 'two labels',
        path: (i) => `/v1/conversations?labels=${label(i)},${label(i + 1)}&limit=50`,
      },
      {
        scenario: 'status + priority + team',
        path: (i) => `/v1/conversations?status=pending&priority=urgent&team=${team(i)}&limit=50`,
      },
      {
        scenario: 'assignee (an agent) + label',
        path: (i) => `/v1/conversations?assignee=a${i % AGENTS}&labels=${label(i)}&limit=50`,
      },
      {
        scenario: 'queue + label + priority',
        path: (i) => `/v1/queue?labels=${label(i)}&priority=high&limit=50`,
      },
    ];

    // Warm-up: connection pools, JIT, PostgreSQL buffers.
    for (let i = 0; i < 30; i++) for (const s of scenarios) await get(s.path(i));

    const samples = scenarios.map(() => new Samples());
    const found = scenarios.map(() => 0);
    for (let i = 0; i < SAMPLES; i++) {
      for (const [k, s] of scenarios.entries()) {
        await timed(samples[k], async () => {
          found[k] += (await get(s.path(i))).items.length;
        });
      }
    }

    const plans: Record<string, string[]> = {};
    const filtered = [
      [
        'label + status + assignee',
        `labels @> ARRAY['l3'] AND status = 'open' AND assignee_id = '${agent.id}'`,
      ],
      ['label + status + unassigned', `labels @> ARRAY['l3'] AND status = 'open' AND assignee_id IS NULL`],
      ['status + priority + team', `status = 'pending' AND priority = 'urgent' AND team = 'tech'`],
    ];
    for (const [name, where] of filtered) {
      const { rows } = await db.query(
        `EXPLAIN (FORMAT JSON) SELECT id FROM conversation.conversations c WHERE ${where}
          ORDER BY last_message_at DESC, id DESC LIMIT 51`,
      );
      plans[name] = indexesOf(rows[0]['QUERY PLAN'][0].Plan);
    }

    const rows: Row[] = scenarios.map((s, k) => ({
      scenario: `${s.scenario}: ${round(found[k] / SAMPLES, 1)} a page`,
      ...samples[k].summary(),
      ...(!s.baseline && {
        target: 'p99 < 20 ms',
        verdict: samples[k].percentile(99) < 20 ? 'met' : 'MISSED',
      }),
    }));
    printTable(
      `conversation list: ${CONVERSATIONS.toLocaleString()} conversations, GET through the gateway`,
      rows,
    );
    console.log('indexes read by the filtered statements:', plans);
    const file = writeResults('conversation-list', {
      date: new Date().toISOString(),
      machine: {
        cpus: cpus().length,
        cpu: cpus()[0]?.model,
        memoryGiB: round(totalmem() / 2 ** 30, 1),
        node: process.version,
      },
      dataset: {
        conversations: CONVERSATIONS,
        labels: LABELS,
        agents: AGENTS,
        seedSeconds: round(seedSeconds, 1),
      },
      plans,
      rows,
    });
    console.log(`\nwritten to ${file}`);
  } finally {
    await db.end().catch(() => undefined);
    await system.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
