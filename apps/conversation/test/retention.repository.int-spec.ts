/**
 * The retention selection against a real PostgreSQL migrated as the service migrates it: the two
 * statements the run and the preview share choose a site's resolved conversations past the policy
 * and the attachments past it in conversations that stay, page by keyset, and the removal leaves
 * nothing of a conversation behind.
 */
import { openServiceDataSource } from '@parley/persistence';
import { createDatabase, TestDatabase } from '@parley/testing';
import { DataSource } from 'typeorm';
import { CONVERSATION_MIGRATIONS } from '../src/conversation-schema';
import { Conversation, openedConversation } from '../src/conversations/conversation.entity';
import { ConversationRepository } from '../src/conversations/conversation.repository';
import { RetentionRepository } from '../src/retention/retention.repository';
import { ACCEPTED_AT, customer } from './in-memory-unit-of-work';

const DAY = 86_400_000;
const NOW = new Date();
const ago = (days: number) => new Date(NOW.getTime() - days * DAY);

let database: TestDatabase;
let db: DataSource;
let conversations: ConversationRepository;
let retention: RetentionRepository;

async function conversation(id: string, fields: Partial<Conversation>): Promise<void> {
  const opened = openedConversation(
    {
      conversationId: id,
      messageId: `${id}-1`,
      body: 'hi',
      priority: 'normal',
      issuedBy: customer('cu-1'),
      acceptedAt: ACCEPTED_AT,
    },
    ago(500),
  );
  await conversations.insert({ ...opened, siteId: 's1', ...fields });
}

async function attachment(id: string, conversationId: string, takenAt: Date, messageId: string | null = 'm') {
  await db.query(
    'INSERT INTO conversation.attachments (id, conversation_id, message_id, recorded_at) VALUES ($1, $2, $3, $4)',
    [id, conversationId, messageId, takenAt],
  );
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
  conversations = new ConversationRepository(db);
  retention = new RetentionRepository(db);
  await conversation('c-old', { status: 'resolved', resolvedAt: ago(31) });
  await conversation('c-older', { status: 'resolved', resolvedAt: ago(400) });
  await conversation('c-recent', { status: 'resolved', resolvedAt: ago(29) });
  await conversation('c-open', { status: 'open' });
  await conversation('c-reopened', { status: 'open', resolvedAt: null });
  await conversation('c-other-site', { status: 'resolved', resolvedAt: ago(400), siteId: 's2' });
  await conversation('c-no-site', { status: 'resolved', resolvedAt: ago(400), siteId: null });
  await attachment('a-old', 'c-open', ago(91));
  await attachment('a-young', 'c-open', ago(89));
  await attachment('a-orphan-tombstone', 'c-open', ago(200), null);
  await attachment('a-in-removed', 'c-old', ago(200));
  await attachment('a-recent-conversation', 'c-recent', ago(95));
  await db.query("UPDATE conversation.attachments SET expired_at = now() WHERE id = 'a-recent-conversation'");
  await attachment('a-other-site', 'c-other-site', ago(200));
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

describe('RetentionRepository', () => {
  it("selects the site's conversations resolved before the cutoff, oldest first", async () => {
    const selected = await retention.expiredConversations('s1', ago(30), null, 10);
    expect(selected).toEqual([
      { id: 'c-older', resolvedAt: ago(400) },
      { id: 'c-old', resolvedAt: ago(31) },
    ]);
  });

  it('pages by resolution and id', async () => {
    const [first] = await retention.expiredConversations('s1', ago(30), null, 1);
    const rest = await retention.expiredConversations(
      's1',
      ago(30),
      { at: first.resolvedAt, id: first.id },
      10,
    );
    expect(rest.map((c) => c.id)).toEqual(['c-old']);
  });

  it('selects attachments taken before the cutoff, not expired, in conversations that stay', async () => {
    const selected = await retention.expiredAttachments(
      's1',
      { takenBefore: ago(90), resolvedBefore: ago(30) },
      null,
      10,
    );
    expect(selected).toEqual([{ id: 'a-old', conversationId: 'c-open', takenAt: ago(91) }]);

    // Without a conversation policy, a resolved conversation's old attachments expire on their own.
    const alone = await retention.expiredAttachments(
      's1',
      { takenBefore: ago(90), resolvedBefore: null },
      null,
      10,
    );
    expect(alone.map((a) => a.id)).toEqual(['a-in-removed', 'a-old']);
  });

  it('removes a conversation with everything it holds here', async () => {
    await db.query(
      `INSERT INTO conversation.conversation_entries (id, conversation_id, seq, author_id, author_role, type, created_at)
       VALUES ('e1', 'c-older', 1, 'cu-1', 'customer', 'message', now())`,
    );
    await db.query(
      "INSERT INTO conversation.read_horizons (conversation_id, principal_id, seq, read_at) VALUES ('c-older', 'cu-1', 1, now())",
    );
    await attachment('a-of-older', 'c-older', ago(1));

    await retention.removeConversation('c-older');

    for (const [table, column] of [
      ['conversations', 'id'],
      ['conversation_entries', 'conversation_id'],
      ['read_horizons', 'conversation_id'],
      ['attachments', 'conversation_id'],
    ]) {
      const [{ n }] = await db.query(
        `SELECT count(*)::int AS n FROM conversation.${table} WHERE ${column} = $1`,
        ['c-older'],
      );
      expect(n).toBe(0);
    }
    expect(await conversations.find('c-old')).toBeDefined();
  });

  it('expires only attachments of the conversation, taken before the cutoff, once', async () => {
    expect(
      await retention.expireAttachments(
        'c-open',
        ['a-old', 'a-young', 'a-in-removed'],
        ago(90).toISOString(),
      ),
    ).toEqual(['a-old']);
    expect(await retention.expireAttachments('c-open', ['a-old'], ago(90).toISOString())).toEqual([]);
  });

  it('keeps the schedule and asked-for runs so that a restart changes nothing', async () => {
    await db.query(
      `INSERT INTO conversation.sites (id, name, allow_anonymous, sealed_secret, created_at)
       VALUES ('s1', 'Shop', false, 'sealed', now())`,
    );
    expect(await retention.due(NOW)).toEqual({ scheduled: true, requested: false });

    await retention.recordScheduledRun(NOW, new Date(NOW.getTime() + 3600_000));
    expect(await retention.due(NOW)).toEqual({ scheduled: false, requested: false });
    expect(await retention.due(new Date(NOW.getTime() + 3600_000))).toMatchObject({ scheduled: true });

    expect(await retention.requestRun('s1', NOW.toISOString())).toBe(true);
    expect(await retention.requestRun('no-such-site', NOW.toISOString())).toBe(false);
    expect(await retention.due(NOW)).toEqual({ scheduled: false, requested: true });
    const [site] = await retention.sitesToRun(false);
    expect(site).toMatchObject({ siteId: 's1', runRequestedAt: NOW });

    await retention.recordSiteRun('s1', NOW, { conversations: 2, attachments: 1 }, site.runRequestedAt);
    expect(await retention.due(NOW)).toEqual({ scheduled: false, requested: false });
    expect(await retention.policy('s1')).toMatchObject({
      lastRunAt: NOW.toISOString(),
      lastRun: { conversations: 2, attachments: 1 },
      nextRunAt: new Date(NOW.getTime() + 3600_000).toISOString(),
    });
  });
});
