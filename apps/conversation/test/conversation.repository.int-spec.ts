/**
 * The conversation repository against a real PostgreSQL migrated as the service migrates it: a
 * conversation's fields make the round trip through the column lists drawn from its entity, and
 * the lists page and count unread messages as callers see them.
 */
import { openServiceDataSource } from '@parley/persistence';
import { createDatabase, TestDatabase } from '@parley/testing';
import { DataSource } from 'typeorm';
import { CONVERSATION_MIGRATIONS } from '../src/conversation-schema';
import { Conversation, openedConversation } from '../src/conversations/conversation.entity';
import { ConversationFilter, ConversationRepository } from '../src/conversations/conversation.repository';
import { UnitOfWork } from '../src/events/unit-of-work';
import { SitesRepository } from '../src/sites/sites.repository';
import type { Sql } from '../src/sql';
import { ACCEPTED_AT, agentIssuer, customer } from './in-memory-unit-of-work';

let database: TestDatabase;
let db: DataSource;
let repository: ConversationRepository;

const minutes = (n: number) => new Date(Date.UTC(2026, 0, 1, 0, n));

async function opened(id: string, at: Date, fields: Partial<Conversation> = {}): Promise<Conversation> {
  const conversation = {
    ...openedConversation(
      {
        conversationId: id,
        messageId: `${id}-1`,
        body: 'hi',
        priority: 'normal',
        issuedBy: customer('cu-1'),
        acceptedAt: ACCEPTED_AT,
      },
      at,
    ),
    ...fields,
  };
  await repository.insert(conversation);
  return conversation;
}

beforeAll(async () => {
  database = await createDatabase();
  db = await openServiceDataSource({
    url: database.url,
    statementTimeoutMs: 30_000,
    schema: 'conversation',
    entities: [],
    migrations: CONVERSATION_MIGRATIONS,
  });
  repository = new ConversationRepository(db);
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

beforeEach(async () => {
  await db.query(
    'TRUNCATE conversation.conversations, conversation.conversation_entries, conversation.read_horizons, conversation.ratings',
  );
});

describe('ConversationRepository', () => {
  it('stores every field of a conversation and reads it back as it was', async () => {
    const stored = await opened('c1', minutes(1), {
      subject: 'Refund',
      priority: 'urgent',
      snoozeUntil: minutes(9),
    });
    expect(await repository.find('c1')).toEqual(stored);

    stored.team = 'billing';
    stored.status = 'pending';
    await repository.update(stored, 'team');
    expect(await repository.find('c1')).toEqual({ ...stored, status: 'open' });
  });

  it('locks the conversations that exist, in id order', async () => {
    await opened('b', minutes(1));
    await opened('a', minutes(2));
    const locked = await db.transaction((em) => new ConversationRepository(em).lock(['b', 'missing', 'a']));
    expect(locked.map((c) => c.id)).toEqual(['a', 'b']);
  });

  it('counts what a caller has not read: others’ entries after their horizon, notes only for agents', async () => {
    await opened('c1', minutes(1));
    await db.transaction(async (em) => {
      const unit = UnitOfWork.in(em);
      const conversation = await unit.ledger.lock('c1');
      if (!conversation) throw new Error('not opened');
      unit.ledger.append(conversation, 'm1', customer('cu-1'), 'message', 'hello');
      unit.ledger.append(conversation, 'm2', agentIssuer('ag-1'), 'message', 'hi, how can I help?');
      unit.ledger.append(conversation, 'n1', agentIssuer('ag-2'), 'note', 'VIP');
      await unit.complete();
    });
    const unread = async (viewer: Parameters<ConversationRepository['seenOne']>[0]) =>
      (await repository.seenOne(viewer, 'c1'))?.unread;

    expect(await unread({ id: 'cu-1', role: 'customer' })).toBe(1);
    expect(await unread({ id: 'ag-1', role: 'agent' })).toBe(2);
    expect(await repository.advanceReadHorizon('c1', 'ag-1', 1, new Date())).toBe(true);
    expect(await repository.advanceReadHorizon('c1', 'ag-1', 1, new Date())).toBe(false);
    expect(await unread({ id: 'ag-1', role: 'agent' })).toBe(1);
    expect(await repository.recordedEntries(['m1', 'n1', 'other'])).toEqual(
      expect.arrayContaining(['m1', 'n1']),
    );
    expect(await repository.find('c1')).toMatchObject({
      lastSeq: 3,
      lastMessagePreview: 'hi, how can I help?',
    });
  });

  it('keeps how each entry came in: email for a reply by email, nothing for the API', async () => {
    await opened('c1', minutes(1));
    await db.transaction(async (em) => {
      const unit = UnitOfWork.in(em);
      const conversation = await unit.ledger.lock('c1');
      if (!conversation) throw new Error('not opened');
      unit.ledger.append(conversation, 'm1', customer('cu-1'), 'message', 'Thanks!', 'email');
      unit.ledger.append(conversation, 'm2', agentIssuer('ag-1'), 'message', 'Glad to help.');
      await unit.complete();
    });
    expect(
      await db.query(
        'SELECT id, via FROM conversation.conversation_entries WHERE conversation_id = $1 ORDER BY seq',
        ['c1'],
      ),
    ).toEqual([
      { id: 'm1', via: 'email' },
      { id: 'm2', via: null },
    ]);
  });

  it('pages the most recently active first, after the previous page’s last', async () => {
    for (const [id, at] of [
      ['a', 1],
      ['b', 3],
      ['c', 2],
      ['d', 3],
    ] as const)
      await opened(id, minutes(at));
    const agent = { id: 'ag-1', role: 'agent' } as const;

    const first = await repository.listed(agent, {}, undefined, 2);
    const last = first[first.length - 1];
    const next = await repository.listed(agent, {}, [last.lastMessageAt.toISOString(), last.id], 5);

    expect(first.map((c) => c.id)).toEqual(['d', 'b']);
    expect(next.map((c) => c.id)).toEqual(['c', 'a']);
  });

  it('serves the queue by priority, then waiting time, with each one’s rank', async () => {
    await opened('low', minutes(1), { priority: 'low' });
    await opened('urgent', minutes(5), { priority: 'urgent' });
    await opened('normal', minutes(2));
    await opened('assigned', minutes(0), { assigneeId: 'ag-1', queuedAt: null });
    const agent = { id: 'ag-1', role: 'agent' } as const;

    const queue = await repository.queue(agent, {}, undefined, 10);
    expect(queue.map((c) => [c.id, c.rank])).toEqual([
      ['urgent', 4],
      ['normal', 2],
      ['low', 1],
    ]);
    const rest = await repository.queue(agent, {}, [2, minutes(2).toISOString(), 'normal'], 10);
    expect(rest.map((c) => c.id)).toEqual(['low']);
    expect(await repository.queuedIds('urgent')).toEqual(['normal', 'low']);
  });

  it('keeps the latest rating of a conversation, shows it with the conversation, and sums ratings up for CSAT', async () => {
    const rate = (conversationId: string, agentId: string | null, siteId: string | null, score: number) =>
      repository.rate({
        conversationId,
        customerId: 'cu-1',
        agentId,
        siteId,
        score,
        comment: score < 3 ? 'Slow.' : null,
        via: 'widget',
        ratedAt: minutes(score).toISOString(),
      });
    for (const id of ['c1', 'c2', 'c3', 'c4']) await opened(id, minutes(1));
    await rate('c1', 'ag-1', 's1', 5);
    await rate('c1', 'ag-1', 's1', 4);
    await rate('c2', 'ag-1', 's1', 1);
    await rate('c3', 'ag-2', 's1', 5);
    await rate('c4', null, null, 3);

    expect(await repository.seenOne({ id: 'ag-1', role: 'agent' }, 'c2')).toMatchObject({
      ratingScore: 1,
      ratingComment: 'Slow.',
      ratingVia: 'widget',
      ratedAt: minutes(1),
    });
    expect(await repository.csat({})).toEqual({
      overall: { ratings: 4, averageScore: 3.25, csat: 50 },
      bySite: [
        { siteId: null, ratings: 1, averageScore: 3, csat: 0 },
        { siteId: 's1', ratings: 3, averageScore: 3.33, csat: 66.67 },
      ],
      byAgent: [
        { agentId: null, ratings: 1, averageScore: 3, csat: 0 },
        { agentId: 'ag-1', ratings: 2, averageScore: 2.5, csat: 50 },
        { agentId: 'ag-2', ratings: 1, averageScore: 5, csat: 100 },
      ],
    });
    // Rated at minutes 4 and 5 (c1, c3): from is inclusive, to exclusive.
    const window = await repository.csat({ from: minutes(4).toISOString(), to: minutes(5).toISOString() });
    expect(window.overall).toEqual({ ratings: 1, averageScore: 4, csat: 100 });
    expect(await repository.csat({ agentId: 'nobody' })).toEqual({
      overall: { ratings: 0, averageScore: null, csat: null },
      bySite: [],
      byAgent: [],
    });
  });

  it('filters lists by labels, status, priority, assignee and team, and the queue by label', async () => {
    await opened('a', minutes(1), {
      labels: ['vip', 'bug'],
      status: 'pending',
      assigneeId: 'ag-1',
      queuedAt: null,
    });
    await opened('b', minutes(2), { labels: ['vip'], team: 'billing' });
    await opened('c', minutes(3), { labels: ['bug'], priority: 'urgent' });
    await opened('d', minutes(4));
    const agent = { id: 'ag-1', role: 'agent' } as const;
    const ids = async (filter: ConversationFilter) =>
      (await repository.listed(agent, filter, undefined, 10)).map((c) => c.id);

    expect(await ids({ labels: ['vip'] })).toEqual(['b', 'a']);
    expect(await ids({ labels: ['vip', 'bug'] })).toEqual(['a']);
    expect(await ids({ labels: ['bug'], status: 'open' })).toEqual(['c']);
    expect(await ids({ labels: ['vip'], assignee: 'none', team: 'billing' })).toEqual(['b']);
    expect(await ids({ priority: 'urgent', assignee: 'none' })).toEqual(['c']);
    const queue = await repository.queue(agent, { labels: ['bug'] }, undefined, 10);
    expect(queue.map((c) => c.id)).toEqual(['c']);
  });

  it('serves every filter of a list page from an index at 100,000 conversations (EXPLAIN)', async () => {
    await db.query(
      `INSERT INTO conversation.conversations
         (id, customer_id, status, priority, assignee_id, team, last_seq, last_message_at, queued_at, created_at, labels)
       SELECT 'c' || n, 'u' || (n / 10),
              (ARRAY['open', 'pending', 'snoozed', 'resolved', 'resolved', 'resolved'])[1 + n % 6],
              (ARRAY['low', 'normal', 'normal', 'high', 'urgent'])[1 + n % 5],
              CASE WHEN n % 5 = 1 THEN NULL ELSE 'ag-' || (n % 20) END,
              CASE WHEN n % 3 = 0 THEN NULL ELSE 'team-' || (n % 5) END,
              0, now() - n * interval '1 minute', now(), now(),
              CASE WHEN n % 4 = 0 THEN ARRAY['l' || (n % 10)] ELSE '{}' END
         FROM generate_series(1, 100000) n`,
    );
    await db.query('ANALYZE conversation.conversations');
    // The statements the repository runs, captured, then explained against the database.
    const statements: Array<[string, unknown[]]> = [];
    const capturing = {
      query: async (sql: string, params?: unknown[]) => {
        statements.push([sql, params ?? []]);
        return [];
      },
    } as Sql;
    const capture = new ConversationRepository(capturing);
    const agent = { id: 'ag-1', role: 'agent' } as const;
    const filters: ConversationFilter[] = [
      { labels: ['l3'], status: 'open', assignee: 'ag-3' },
      { labels: ['l3'], status: 'open', assignee: 'none' },
      { labels: ['l3', 'l4'] },
      { status: 'pending', priority: 'urgent', team: 'team-2' },
      { assignee: 'ag-7', labels: ['l7'] },
      { team: 'team-1' },
      {},
    ];
    for (const filter of filters) await capture.listed(agent, filter, undefined, 51);
    await capture.queue(agent, { labels: ['l3'], priority: 'high' }, undefined, 51);

    // How the plan reads conversations: its scans of the table and the conversations_* indexes it
    // reads (a bitmap heap scan's index scans are its children and name no table).
    const readsOfConversations = (plan: Record<string, unknown>): string[] => {
      const index = typeof plan['Index Name'] === 'string' ? plan['Index Name'] : '';
      const own =
        plan['Node Type'] === 'Seq Scan' && plan['Relation Name'] === 'conversations'
          ? ['Seq Scan']
          : index.startsWith('conversations_')
            ? [index]
            : [];
      const children = (plan.Plans as Array<Record<string, unknown>> | undefined) ?? [];
      return [...own, ...children.flatMap(readsOfConversations)];
    };
    for (const [sql, params] of statements) {
      const [{ 'QUERY PLAN': plan }] = await db.query(`EXPLAIN (FORMAT JSON) ${sql}`, params);
      const reads = readsOfConversations(plan[0].Plan);
      expect({ sql, reads }).toEqual({
        sql,
        reads: expect.arrayContaining([expect.stringMatching(/_idx$/)]),
      });
      expect({ sql, reads }).not.toEqual({ sql, reads: expect.arrayContaining(['Seq Scan']) });
    }
  }, 60_000);

  it("takes a site's usual reply time as the median first response of its recent conversations", async () => {
    const sites = new SitesRepository(db);
    const now = Date.now();
    const answered = async (id: string, siteId: string, openedMsAgo: number, responseSeconds: number) =>
      opened(id, new Date(now - openedMsAgo), {
        siteId,
        firstResponseAt: new Date(now - openedMsAgo + responseSeconds * 1000),
      });
    await answered('c1', 's1', 60_000, 30);
    await answered('c2', 's1', 120_000, 90);
    await answered('c3', 's1', 180_000, 600);
    await answered('c4', 's1', 15 * 86_400_000, 5); // older than the window
    await answered('c5', 's2', 60_000, 1);
    await opened('c6', new Date(now), { siteId: 's1' }); // not answered yet

    expect(await sites.medianFirstResponseSeconds('s1', 14)).toBe(90);
    expect(await sites.medianFirstResponseSeconds('s3', 14)).toBeNull();
  });
});
