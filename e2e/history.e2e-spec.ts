import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { backlogOf, ParleySystem, waitFor } from '@parley/testing';
import { DEFAULT_PARTITIONS, subjectFor } from '@parley/contracts';
import { Client } from 'pg';
import {
  Actor,
  answer,
  clientOf,
  newAgent,
  newCustomer,
  openConversation,
  setPresence,
} from './support/actors';

type Item = { id: string; seq: number; body: string; type: string };

describe('history and search', () => {
  let system: ParleySystem;
  let agent: Actor;
  let alice: Actor;
  let bob: Actor;

  const messageStatus = (actor: Actor, id: string) =>
    answer(clientOf(system, actor).GET('/v1/messages/{id}', { params: { path: { id } } }));
  const post = (actor: Actor, conversationId: string, body: string) =>
    answer(
      clientOf(system, actor).POST('/v1/conversations/{id}/messages', {
        params: { path: { id: conversationId } },
        body: { body },
      }),
    );
  const messages = (
    actor: Actor,
    conversationId: string,
    query: { after?: number; before?: number; limit?: number },
  ) =>
    answer(
      clientOf(system, actor).GET('/v1/conversations/{id}/messages', {
        params: { path: { id: conversationId }, query },
      }),
    );
  const search = (actor: Actor, query: { q: string; customerId?: string; limit?: number; cursor?: string }) =>
    answer(clientOf(system, actor).GET('/v1/search', { params: { query } }));

  beforeAll(async () => {
    system = await ParleySystem.start();
    agent = await newAgent(system, { capacity: 50 });
    alice = await newCustomer(system);
    bob = await newCustomer(system);
    await setPresence(system, agent, 'online');
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
  });

  describe('a conversation of 1,000 messages', () => {
    let conversationId: string;

    beforeAll(async () => {
      conversationId = (await openConversation(system, alice, { body: 'message 1' })).id;
      const numbers = Array.from({ length: 999 }, (_, i) => i + 2);
      const lanes = Array.from({ length: 20 }, (_, lane) => numbers.filter((n) => n % 20 === lane));
      await Promise.all(
        lanes.map(async (lane) => {
          for (const n of lane) {
            const res = await post(alice, conversationId, `message ${n}`);
            if (res.status !== 202) throw new Error(`post ${n}: ${res.status}`);
          }
        }),
      );
      await waitFor(
        '1,000 messages stored',
        async () => {
          const last = await messages(alice, conversationId, { before: 1001, limit: 1 });
          return last.body.items?.[0]?.seq === 1000;
        },
        90_000,
        300,
      );
    }, 180_000);

    it('pages forwards with each message exactly once, in order', async () => {
      const seen: Item[] = [];
      let after = 0;
      for (;;) {
        const page = await messages(alice, conversationId, { after, limit: 50 });
        expect(page.status).toBe(200);
        seen.push(...page.body.items);
        if (!page.body.nextCursor) break;
        after = Number(page.body.nextCursor);
      }
      expect(seen.map((m) => m.seq)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
      expect(new Set(seen.map((m) => m.id)).size).toBe(1000);
    });

    it('pages backwards with each message exactly once, each page in order', async () => {
      const pages: Item[][] = [];
      let before = 1001;
      for (;;) {
        const page = await messages(alice, conversationId, { before, limit: 50 });
        pages.push(page.body.items);
        if (!page.body.nextCursor) break;
        before = Number(page.body.nextCursor);
      }
      expect(pages).toHaveLength(20);
      expect(
        pages
          .reverse()
          .flat()
          .map((m) => m.seq),
      ).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    });

    it('stores a redelivered event once', async () => {
      const nc = await connect({ servers: system.nats.url });
      try {
        const jsm = await jetstreamManager(nc);
        const stored = await jsm.streams.getMessage('PARLEY_EVENTS', {
          last_by_subj: subjectFor('parley.evt.message.created', { conversationId }, DEFAULT_PARTITIONS),
        });
        if (!stored) throw new Error('no message.created event in the stream');
        const event = stored.json<{ data: { messageId: string; seq: number } }>();
        // A new Nats-Msg-Id gets past JetStream's deduplication: only history's own idempotence is left.
        const js = jsm.jetstream();
        await js.publish(stored.subject, stored.data, { msgID: `replay-${Date.now()}` });
        await waitFor('history to consume the replay', async () => {
          const backlog = await backlogOf(jsm, 'PARLEY_EVENTS', 'history');
          return backlog.pending === 0 && backlog.ackPending === 0;
        });
        const page = await messages(alice, conversationId, { after: event.data.seq - 1, limit: 200 });
        expect(page.body.items.filter((m: Item) => m.id === event.data.messageId)).toHaveLength(1);
        expect(page.body.items.map((m: Item) => m.seq)).toEqual(
          Array.from({ length: 1001 - event.data.seq }, (_, i) => event.data.seq + i),
        );
      } finally {
        await nc.close();
      }
    });
  });

  describe('search', () => {
    let alicesConversation: string;

    beforeAll(async () => {
      alicesConversation = (
        await openConversation(system, alice, { body: 'I was running late for the refund desk' })
      ).id;
      const bobs = (await openConversation(system, bob, { body: 'Bob keeps running into refund problems' }))
        .id;
      await post(alice, alicesConversation, 'The <b>runner</b> runs & refunds');
      await clientOf(system, agent).POST('/v1/conversations/{id}/notes', {
        params: { path: { id: alicesConversation } },
        body: { body: 'Secret: running a refund check on Alice' },
      });
      await waitFor('all four searchable', async () => {
        const res = await search(agent, { q: 'run' });
        return res.body.items?.length === 4 && bobs;
      });
    });

    it('finds by stemmed words and ranks with a highlighted, escaped snippet', async () => {
      const res = await search(agent, { q: 'refunded or runners' });
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeGreaterThanOrEqual(3);
      const ranks = res.body.items.map((h: { rank: number }) => h.rank);
      expect(ranks).toEqual([...ranks].sort((a, b) => b - a));
      const html = res.body.items.find((h: { snippet: string }) => h.snippet.includes('runner'));
      expect(html?.snippet).toContain('<mark>runner</mark>&lt;/b&gt;');
      expect(html?.snippet).not.toContain('<b>');
    });

    it('never shows a customer a note or another customer’s message', async () => {
      const res = await search(alice, { q: 'running' });
      expect(res.status).toBe(200);
      // "running" stems to "run", so "runs" matches too; the note and Bob's message never do.
      expect(res.body.items.map((h: { type: string; customerId: string }) => [h.type, h.customerId])).toEqual(
        [
          ['message', alice.id],
          ['message', alice.id],
        ],
      );
      expect(res.body.items.map((h: { snippet: string }) => h.snippet).sort()).toEqual([
        expect.stringContaining('<mark>running</mark> late'),
        expect.stringContaining('<mark>runs</mark>'),
      ]);
      const sneaky = await search(alice, { q: 'running', customerId: bob.id });
      expect(sneaky.body.items).toEqual([]);
      const asAgent = await search(agent, { q: 'running', customerId: alice.id });
      expect(asAgent.body.items.map((h: { type: string }) => h.type).sort()).toEqual([
        'message',
        'message',
        'note',
      ]);
    });

    it('pages search results with a cursor, each hit once', async () => {
      const first = await search(agent, { q: 'run', limit: 3 });
      const second = await search(agent, { q: 'run', limit: 3, cursor: first.body.nextCursor ?? undefined });
      const ids = [...first.body.items, ...second.body.items].map((h: { messageId: string }) => h.messageId);
      expect(ids).toHaveLength(4);
      expect(new Set(ids).size).toBe(4);
      expect(second.body.nextCursor).toBeNull();
      expect((await search(agent, { q: 'run', cursor: 'nope' })).status).toBe(400);
      // Raw on purpose: the typed client cannot leave out the required `q`.
      expect((await system.api('GET', '/v1/search', { token: agent.token })).status).toBe(400);
    });
  });

  describe('message status', () => {
    /** Whether history still holds the message's `accepted` record (an outcome must clear it). */
    async function stillAccepted(messageId: string): Promise<boolean> {
      const db = new Client({ connectionString: system.database.url });
      await db.connect();
      try {
        const { rowCount } = await db.query('SELECT 1 FROM history.accepted_messages WHERE id = $1', [
          messageId,
        ]);
        return rowCount !== 0;
      } finally {
        await db.end();
      }
    }

    it('moves from accepted to stored, and shows who has read it', async () => {
      const conversationId = (await openConversation(system, alice, { body: 'status please' })).id;
      await system.services.conversation.stop('SIGTERM');
      const sent = await post(alice, conversationId, 'are you there?');
      expect(sent.status).toBe(202);
      const accepted = await waitFor('accepted', async () => {
        const res = await messageStatus(alice, sent.body.id);
        return res.status === 200 ? res.body : undefined;
      });
      expect(accepted).toMatchObject({ status: 'accepted', seq: null, body: 'are you there?', receipts: [] });

      await system.services.conversation.start();
      const stored = await waitFor('stored', async () => {
        const res = await messageStatus(alice, sent.body.id);
        return res.body.status === 'stored' ? res.body : undefined;
      });
      expect(stored).toMatchObject({ seq: 2, authorId: alice.id, conversationId });
      expect(await stillAccepted(sent.body.id)).toBe(false);

      expect(
        (
          await clientOf(system, agent).POST('/v1/conversations/{id}/read', {
            params: { path: { id: conversationId } },
            body: { seq: 2 },
          })
        ).response.status,
      ).toBe(202);
      const read = await waitFor('the read receipt', async () => {
        const res = await messageStatus(alice, sent.body.id);
        return res.body.receipts.length ? res.body.receipts : undefined;
      });
      expect(read).toEqual([
        { recipientId: agent.id, deliveredAt: expect.any(String), readAt: expect.any(String) },
      ]);
      expect((await messageStatus(bob, sent.body.id)).status).toBe(404);
      expect((await messageStatus(agent, sent.body.id)).status).toBe(200);
    });

    it('shows a rejected message with its reason to its author', async () => {
      const conversationId = (await openConversation(system, alice, { body: 'private' })).id;
      await system.services.conversation.stop('SIGTERM');
      const intrusion = await post(bob, conversationId, 'let me in');
      expect(intrusion.status).toBe(202);
      await system.services.conversation.start();
      const rejected = await waitFor('rejected', async () => {
        const res = await messageStatus(bob, intrusion.body.id);
        return res.body.status === 'rejected' ? res.body : undefined;
      });
      expect(rejected).toMatchObject({
        seq: null,
        rejection: 'The conversation does not exist or you are not one of its participants.',
      });
      expect(await stillAccepted(intrusion.body.id)).toBe(false);
      expect((await messageStatus(alice, intrusion.body.id)).status).toBe(404);
    });
  });
});
