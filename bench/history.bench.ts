import { createHmac, randomInt } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { Client } from 'pg';
import {
  createDatabase,
  ServiceProcess,
  startNats,
  TEST_ADMIN_TOKEN,
  TEST_JWT_SECRET,
  writeResults,
} from '@parley/testing';
import { printTable, round, Row, Samples, timed } from './support';

/**
 * History at scale: 1,000,000 messages over 10,000 conversations, then pages of 50 and searches
 * through the gateway (HTTP → NATS request/reply → history → PostgreSQL), each compared with the
 * same SQL run straight against PostgreSQL in the same run.
 */
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 1_000_000);
const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? 10_000);
const CUSTOMERS = CONVERSATIONS / 10;
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 500);
const VOCABULARY = 2_000;

function token(sub: string, role: 'agent' | 'customer'): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ sub, role, iat: now, exp: now + 3600 })}`;
  return `${unsigned}.${createHmac('sha256', TEST_JWT_SECRET).update(unsigned).digest('base64url')}`;
}

/** Made-up words, so every word has about the same selectivity (~0.6% of messages). */
function word(i: number): string {
  const syllables = ['ka', 'lo', 'mi', 'ren', 'ta', 'vu', 'zor', 'pel', 'dri', 'sno'];
  return `${syllables[i % 10]}${syllables[Math.floor(i / 10) % 10]}${syllables[Math.floor(i / 100) % 10]}x${Math.floor(i / 1000)}`;
}

async function seed(db: Client): Promise<number> {
  const started = Date.now();
  // 20,000 distinct bodies of 12 random words; messages reuse them, so seeding is one set-based insert.
  await db.query(
    `CREATE TEMP TABLE bodies AS
     SELECT b, (SELECT string_agg(($1::text[])[1 + floor(random() * $2)::int], ' ') FROM generate_series(1, 12 + b * 0)) AS body
       FROM generate_series(0, 19999) b`,
    [Array.from({ length: VOCABULARY }, (_, i) => word(i)), VOCABULARY],
  );
  await db.query(
    `INSERT INTO history.conversations (id, customer_id, created_at)
     SELECT 'c' || n, 'u' || (n % $2), now() - interval '30 days' FROM generate_series(1, $1) n`,
    [CONVERSATIONS, CUSTOMERS],
  );
  // Index and generated tsvector are maintained during the load; dropping the GIN index and
  // building it afterwards is several times faster.
  await db.query('DROP INDEX history.messages_search_idx');
  const perConversation = MESSAGES / CONVERSATIONS;
  await db.query(
    `INSERT INTO history.messages (id, conversation_id, customer_id, seq, author_id, author_role, type, body, created_at)
     SELECT 'm' || n, 'c' || c, 'u' || (c % $3), s,
            CASE WHEN s % 2 = 0 THEN 'agent-1' ELSE 'u' || (c % $3) END,
            CASE WHEN s % 2 = 0 THEN 'agent' ELSE 'customer' END,
            CASE WHEN s % 10 = 0 THEN 'note' ELSE 'message' END,
            b.body, now() - interval '30 days' + s * interval '1 minute'
       FROM generate_series(1, $1) n
       CROSS JOIN LATERAL (SELECT 1 + (n - 1) / $2 AS c, 1 + (n - 1) % $2 AS s) k
       JOIN bodies b ON b.b = (n::bigint * 7919) % 20000`,
    [MESSAGES, perConversation, CUSTOMERS],
  );
  await db.query('CREATE INDEX messages_search_idx ON history.messages USING gin (search)');
  await db.query('ANALYZE history.messages');
  await db.query('ANALYZE history.conversations');
  return (Date.now() - started) / 1000;
}

async function main(): Promise<void> {
  const nats = await startNats();
  const database = await createDatabase();
  const env = {
    NATS_URL: nats.url,
    DATABASE_URL: database.url,
    PARLEY_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    PARLEY_JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: 'warn',
  };
  const history = await ServiceProcess.create('history', env);
  const gateway = await ServiceProcess.create('gateway', env);
  const db = new Client({ connectionString: database.url });
  try {
    await history.start();
    await gateway.start();
    await db.connect();
    console.log(
      `seeding ${MESSAGES.toLocaleString()} messages over ${CONVERSATIONS.toLocaleString()} conversations…`,
    );
    const seedSeconds = await seed(db);
    console.log(`seeded in ${round(seedSeconds, 1)} s`);

    const agent = token('agent-1', 'agent');
    const perConversation = MESSAGES / CONVERSATIONS;
    const pageSql = `SELECT id, conversation_id, seq, author_id, author_role, type, body, created_at
                       FROM history.messages WHERE conversation_id = $1 AND seq > $2 ORDER BY seq LIMIT 51`;
    const searchSql = `SELECT id, ts_rank_cd(search, q) AS rank FROM history.messages, websearch_to_tsquery('english', $1) q
                        WHERE search @@ q ORDER BY rank DESC, id DESC LIMIT 51`;
    const get = async (path: string, bearer: string) => {
      const res = await fetch(`${gateway.url}${path}`, { headers: { authorization: `Bearer ${bearer}` } });
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return res.json();
    };
    const randomPage = () => ({
      c: `c${randomInt(1, CONVERSATIONS + 1)}`,
      after: randomInt(0, perConversation - 50),
    });

    // Warm-up: connection pools, JIT, PostgreSQL buffers.
    for (let i = 0; i < 50; i++) {
      const p = randomPage();
      await get(`/v1/conversations/${p.c}/messages?after=${p.after}&limit=50`, agent);
      await get(`/v1/search?q=${word(randomInt(0, VOCABULARY))}&limit=50`, agent);
    }

    const pageSqlSamples = new Samples();
    const pageApiSamples = new Samples();
    const searchSqlSamples = new Samples();
    const searchApiSamples = new Samples();
    const customerSearchSamples = new Samples();
    for (let i = 0; i < SAMPLES; i++) {
      const p = randomPage();
      await timed(pageSqlSamples, () => db.query(pageSql, [p.c, p.after]));
      await timed(pageApiSamples, () =>
        get(`/v1/conversations/${p.c}/messages?after=${p.after}&limit=50`, agent),
      );
    }
    for (let i = 0; i < SAMPLES; i++) {
      const q = word(randomInt(0, VOCABULARY));
      await timed(searchSqlSamples, () => db.query(searchSql, [q]));
      await timed(searchApiSamples, () => get(`/v1/search?q=${q}&limit=50`, agent));
      const customer = token(`u${randomInt(0, CUSTOMERS)}`, 'customer');
      await timed(customerSearchSamples, () => get(`/v1/search?q=${q}&limit=50`, customer));
    }

    const verdict = (p99: number, limit: number) => (p99 < limit ? 'met' : 'MISSED');
    const rows: Row[] = [
      { scenario: 'page of 50: SQL alone (baseline)', ...pageSqlSamples.summary() },
      { scenario: 'page of 50: GET …/messages', ...pageApiSamples.summary(), target: 'p99 < 20 ms' },
      { scenario: 'search: SQL alone (baseline)', ...searchSqlSamples.summary() },
      { scenario: 'search: GET /v1/search (agent)', ...searchApiSamples.summary(), target: 'p99 < 100 ms' },
      {
        scenario: 'search: GET /v1/search (customer)',
        ...customerSearchSamples.summary(),
        target: 'p99 < 100 ms',
      },
    ];
    rows[1].verdict = verdict(rows[1].p99, 20);
    rows[3].verdict = verdict(rows[3].p99, 100);
    rows[4].verdict = verdict(rows[4].p99, 100);
    printTable(
      `history: ${MESSAGES.toLocaleString()} messages, ${CONVERSATIONS.toLocaleString()} conversations`,
      rows,
    );
    const file = writeResults('history', {
      date: new Date().toISOString(),
      machine: {
        cpus: cpus().length,
        cpu: cpus()[0]?.model,
        memoryGiB: round(totalmem() / 2 ** 30, 1),
        node: process.version,
      },
      dataset: {
        messages: MESSAGES,
        conversations: CONVERSATIONS,
        vocabulary: VOCABULARY,
        seedSeconds: round(seedSeconds, 1),
      },
      rows,
    });
    console.log(`\nwritten to ${file}`);
  } finally {
    await db.end().catch(() => undefined);
    await gateway.stop('SIGTERM');
    await history.stop('SIGTERM');
    await nats.stop();
    await database.drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
