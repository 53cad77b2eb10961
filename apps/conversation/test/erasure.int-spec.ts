/**
 * A customer's erasure against a real PostgreSQL migrated as the service migrates it: what the
 * transaction keeps (a tombstone, content-free shells) and deletes, the events it announces, that
 * erasing again changes nothing, how the stores' confirmations complete the certificate, and
 * customers' requests for it.
 */
import { EraseCustomer, ERASURE_STORES, erasureIdOf, EventTypes, Issuer } from '@parley/contracts';
import { openServiceDataSource } from '@parley/persistence';
import { createDatabase, TestDatabase, waitFor } from '@parley/testing';
import { DataSource } from 'typeorm';
import { Assignment } from '../src/assignment/assignment';
import { CONVERSATION_MIGRATIONS } from '../src/conversation-schema';
import { openedConversation } from '../src/conversations/conversation.entity';
import { ConversationRepository } from '../src/conversations/conversation.repository';
import { UnitOfWork } from '../src/events/unit-of-work';
import { ErasureHandlers } from '../src/privacy/erasure.handlers';
import { ErasureRepository } from '../src/privacy/erasure.repository';
import type { ErasureSweeper } from '../src/privacy/erasure-sweeper';
import { ACCEPTED_AT, appliedDirectly, customer } from './in-memory-unit-of-work';

const ADMIN: Issuer = { id: 'admin', role: 'admin' };

let database: TestDatabase;
let db: DataSource;
const handlers = new ErasureHandlers(appliedDirectly, new Assignment(), {} as ErasureSweeper);

/** Runs the erasure of `customerId` in a transaction, as the command transaction does. */
function erase(customerId: string, requestId?: string) {
  const cmd: EraseCustomer = {
    erasureId: erasureIdOf(customerId),
    customerId,
    ...(requestId && { requestId }),
    issuedBy: ADMIN,
    acceptedAt: ACCEPTED_AT,
  };
  return db.transaction((em) => handlers.erase(UnitOfWork.in(em), cmd, '1'));
}

/** A customer with a conversation holding an entry, a rating, an attachment and an unpublished event. */
async function customerWithContent(customerId: string, conversationId: string): Promise<void> {
  await db.query(
    `INSERT INTO conversation.customers (id, external_id, name, email, attributes, time_zone)
     VALUES ($1, $2, 'Ada', 'ada@example.com', '{"plan":"pro"}', 'Europe/Berlin')`,
    [customerId, `ext-${customerId}`],
  );
  const conversation = openedConversation(
    {
      conversationId,
      messageId: `${conversationId}-m1`,
      subject: 'My order',
      body: 'Where is it?',
      priority: 'normal',
      issuedBy: customer(customerId),
      acceptedAt: ACCEPTED_AT,
    },
    new Date(ACCEPTED_AT),
  );
  await new ConversationRepository(db).insert({ ...conversation, lastMessagePreview: 'Where is it?' });
  await db.query(
    `INSERT INTO conversation.conversation_entries (id, conversation_id, seq, author_id, author_role, type, created_at)
     VALUES ($1, $2, 1, $3, 'customer', 'message', now())`,
    [`${conversationId}-m1`, conversationId, customerId],
  );
  await db.query(
    `INSERT INTO conversation.ratings (conversation_id, customer_id, score, comment, via, rated_at)
     VALUES ($1, $2, 2, 'Slow', 'widget', now())`,
    [conversationId, customerId],
  );
  await db.query(
    'INSERT INTO conversation.attachments (id, conversation_id, message_id) VALUES ($1, $2, $3)',
    [`${conversationId}-a1`, conversationId, `${conversationId}-m1`],
  );
  await db.query(
    `INSERT INTO conversation.outbox (subject, msg_id, payload) VALUES ('parley.evt.message.created', $1, $2)`,
    [
      `message.created:${conversationId}-m1`,
      JSON.stringify({ conversationId, data: { body: 'Where is it?' } }),
    ],
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
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

describe("a customer's erasure", () => {
  it('keeps a tombstone and a content-free shell, deletes the rest, and announces it without content', async () => {
    await customerWithContent('cu-erased', 'co-erased');
    await customerWithContent('cu-kept', 'co-kept');

    const events = await erase('cu-erased');

    expect(events.map((e) => [e.type, e.conversationId ?? e.customerId])).toEqual([
      [EventTypes.conversationErased, 'co-erased'],
      [EventTypes.customerErased, 'cu-erased'],
    ]);
    expect(events[1].data).toEqual({
      customerId: 'cu-erased',
      erasureId: erasureIdOf('cu-erased'),
      conversationIds: ['co-erased'],
      requestedBy: { kind: 'admin', id: 'admin' },
    });
    const [tombstone] = await db.query(
      `SELECT external_id, name, email, attributes, time_zone, erased_at IS NOT NULL AS erased
         FROM conversation.customers WHERE id = 'cu-erased'`,
    );
    expect(tombstone).toEqual({
      external_id: null,
      name: null,
      email: null,
      attributes: {},
      time_zone: null,
      erased: true,
    });
    const [shell] = await db.query(
      `SELECT subject, last_message_preview, status, erased_at IS NOT NULL AS erased
         FROM conversation.conversations WHERE id = 'co-erased'`,
    );
    expect(shell).toEqual({ subject: null, last_message_preview: null, status: 'open', erased: true });
    for (const table of ['conversation_entries', 'ratings', 'attachments'])
      expect(
        await db.query(`SELECT conversation_id FROM conversation.${table} ORDER BY conversation_id`),
      ).toEqual([{ conversation_id: 'co-kept' }]);
    expect(await db.query(`SELECT payload->>'conversationId' AS id FROM conversation.outbox`)).toEqual([
      { id: 'co-kept' },
    ]);

    const certificate = await new ErasureRepository(db).certificate(erasureIdOf('cu-erased'));
    expect(certificate).toMatchObject({ customerId: 'cu-erased', conversations: 1, completedAt: null });
    expect(certificate?.stores.filter((s) => s.erasedAt).map((s) => s.store)).toEqual(['conversation']);
    expect(certificate?.stores.find((s) => s.store === 'streams')?.method).toBe('cryptographic');
  });

  it('changes nothing when the customer is erased again', async () => {
    expect(await erase('cu-erased')).toEqual([]);
  });

  it('refuses to erase a customer who does not exist', async () => {
    await expect(erase('cu-nobody')).rejects.toMatchObject({ status: 404 });
  });

  it('completes once every store confirmed, each once', async () => {
    const erasures = new ErasureRepository(db);
    const erasureId = erasureIdOf('cu-erased');
    const [last, ...others] = ERASURE_STORES.filter((store) => store !== 'conversation');
    for (const store of others) await erasures.confirm(erasureId, store, new Date(), 1);
    await erasures.confirm(erasureId, others[0], new Date(), 99);
    expect((await erasures.certificate(erasureId))?.completedAt).toBeNull();
    await erasures.confirm(erasureId, last, new Date(), 2);
    const certificate = await erasures.certificate(erasureId);
    expect(certificate?.completedAt).not.toBeNull();
    expect(certificate?.stores.find((s) => s.store === others[0])?.count).toBe(1);
  });

  it('completes when the last two stores confirm at the same time', async () => {
    await customerWithContent('cu-racing', 'co-racing');
    await erase('cu-racing');
    const erasureId = erasureIdOf('cu-racing');
    const [first, second, ...others] = ERASURE_STORES.filter((store) => store !== 'conversation');
    for (const store of others) await new ErasureRepository(db).confirm(erasureId, store, new Date(), 1);
    const one = db.createQueryRunner();
    const other = db.createQueryRunner();
    try {
      await one.startTransaction();
      await new ErasureRepository(one.manager).confirm(erasureId, first, new Date(), 1);
      await other.startTransaction();
      // Waits for the first to commit (the erasure's row lock), then sees its confirmation.
      const confirming = new ErasureRepository(other.manager).confirm(erasureId, second, new Date(), 1);
      await Promise.race([
        confirming,
        waitFor('the second confirmation to wait for the first', async () => {
          const waiting: unknown[] = await db.query(
            `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
          );
          return waiting.length > 0 || undefined;
        }),
      ]);
      await one.commitTransaction();
      await confirming;
      await other.commitTransaction();
    } finally {
      await one.release();
      await other.release();
    }
    expect((await new ErasureRepository(db).certificate(erasureId))?.completedAt).not.toBeNull();
  });

  it("takes one pending request per customer, and the customer's erasure approves it", async () => {
    await customerWithContent('cu-asking', 'co-asking');
    const erasures = new ErasureRepository(db);
    expect(await erasures.request('rq-1', 'cu-asking', new Date())).toBe(true);
    expect(await erasures.request('rq-2', 'cu-asking', new Date())).toBe(false);
    expect((await erasures.pendingRequestOf('cu-asking'))?.id).toBe('rq-1');

    await erase('cu-asking', 'rq-1');

    expect(await erasures.requestById('rq-1')).toMatchObject({
      status: 'approved',
      decidedBy: 'admin',
      erasureId: erasureIdOf('cu-asking'),
    });
    expect(await erasures.request('rq-3', 'cu-asking', new Date())).toBe(false);
    expect((await erasures.certificate(erasureIdOf('cu-asking')))?.requestId).toBe('rq-1');
  });
});
