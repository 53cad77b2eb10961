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
import { ConversationRepository } from '../src/conversations/conversation.repository';
import { UnitOfWork } from '../src/events/unit-of-work';
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
    'TRUNCATE conversation.conversations, conversation.conversation_entries, conversation.read_horizons',
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

    const queue = await repository.queue(agent, undefined, 10);
    expect(queue.map((c) => [c.id, c.rank])).toEqual([
      ['urgent', 4],
      ['normal', 2],
      ['low', 1],
    ]);
    const rest = await repository.queue(agent, [2, minutes(2).toISOString(), 'normal'], 10);
    expect(rest.map((c) => c.id)).toEqual(['low']);
    expect(await repository.queuedIds('urgent')).toEqual(['normal', 'low']);
  });
});
