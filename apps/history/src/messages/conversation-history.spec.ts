import { ConversationMessagesQuery, MessageView, Principal } from '@parley/contracts';
import { QueryRejected } from '@parley/jetstream';
import { ConversationRepository } from '../conversations/conversation.repository';
import { ConversationHistory } from './conversation-history';
import { ConversationSlice, MessageRepository } from './message.repository';

const customer: Principal = { id: 'cu1', role: 'customer' };
const agent: Principal = { id: 'a1', role: 'agent' };

const message = (seq: number): MessageView => ({
  id: `m${seq}`,
  conversationId: 'c1',
  seq,
  authorId: 'cu1',
  authorRole: 'customer',
  type: 'message',
  body: `body ${seq}`,
  createdAt: '2026-01-01T00:00:00.000Z',
  via: 'api',
});

/** A conversation of `owner` holding messages 1..`count`, read the way the repository reads. */
function historyOf(count: number, owner: string | undefined) {
  const stored = Array.from({ length: count }, (_, i) => message(i + 1));
  const slices: ConversationSlice[] = [];
  const conversations = {
    customerOf: async () => owner,
    erased: async () => false,
  } as unknown as ConversationRepository;
  const messages = {
    inConversation: async (_: string, slice: ConversationSlice) => {
      slices.push(slice);
      const past = slice.backwards
        ? stored.filter((m) => m.seq < slice.from).reverse()
        : stored.filter((m) => m.seq > slice.from);
      return past.slice(0, slice.take);
    },
  } as unknown as MessageRepository;
  return { history: new ConversationHistory(conversations, messages), slices };
}

const query = (q: Partial<ConversationMessagesQuery>): ConversationMessagesQuery => ({
  principal: agent,
  conversationId: 'c1',
  limit: 2,
  ...q,
});

const seqs = (items: MessageView[]) => items.map((m) => m.seq);

describe('ConversationHistory', () => {
  it('pages forwards from the start, with the seq to continue after', async () => {
    const { history } = historyOf(5, 'cu1');
    const first = await history.page(query({}));
    expect([seqs(first.items), first.nextCursor]).toEqual([[1, 2], '2']);
    const second = await history.page(query({ after: 2 }));
    expect([seqs(second.items), second.nextCursor]).toEqual([[3, 4], '4']);
    const last = await history.page(query({ after: 4 }));
    expect([seqs(last.items), last.nextCursor]).toEqual([[5], null]);
  });

  it('pages backwards in ascending order, with the seq to continue before', async () => {
    const { history } = historyOf(5, 'cu1');
    const newest = await history.page(query({ before: 6 }));
    expect([seqs(newest.items), newest.nextCursor]).toEqual([[4, 5], '4']);
    const oldest = await history.page(query({ before: 2 }));
    expect([seqs(oldest.items), oldest.nextCursor]).toEqual([[1], null]);
  });

  it('says there is no next page when the page is exactly full', async () => {
    const { history } = historyOf(2, 'cu1');
    expect((await history.page(query({}))).nextCursor).toBeNull();
  });

  it('reads one message more than the page, to know whether another follows', async () => {
    const { history, slices } = historyOf(0, 'cu1');
    await history.page(query({ limit: 10, after: 7 }));
    expect(slices).toEqual([{ from: 7, backwards: false, take: 11, notes: true }]);
  });

  it('shows a customer their own conversation without notes', async () => {
    const { history, slices } = historyOf(1, 'cu1');
    await history.page(query({ principal: customer }));
    expect(slices[0].notes).toBe(false);
  });

  it("tells a customer another customer's conversation was not found", async () => {
    const { history, slices } = historyOf(1, 'cu2');
    await expect(history.page(query({ principal: customer }))).rejects.toMatchObject({ status: 404 });
    expect(slices).toEqual([]);
    await expect(history.page(query({ principal: agent }))).resolves.toMatchObject({ items: [message(1)] });
  });

  it('answers 404 for a conversation history has not seen', async () => {
    const { history } = historyOf(0, undefined);
    await expect(history.page(query({}))).rejects.toBeInstanceOf(QueryRejected);
  });
});
