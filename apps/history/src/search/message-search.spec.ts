import { SearchQuery } from '@parley/contracts';
import { DataSource } from 'typeorm';
import { HitRow, MessageSearch } from './message-search';
import { decodeSearchCursor } from './search-statement';

const hit = (id: string, rank: number): HitRow => ({
  id,
  conversation_id: 'c1',
  customer_id: 'cu1',
  seq: 1,
  author_id: 'cu1',
  type: 'message',
  created_at: new Date('2026-01-01T00:00:00Z'),
  rank,
  snippet: 'a <mark>refund</mark>',
});

const searching = (rows: HitRow[]) => new MessageSearch({ query: async () => rows } as unknown as DataSource);

const query: SearchQuery = { principal: { id: 'a1', role: 'agent' }, q: 'refund', limit: 2 };

describe('MessageSearch', () => {
  it('answers a page of hits and a cursor after its last one when more matched', async () => {
    const page = await searching([hit('m3', 0.9), hit('m2', 0.5), hit('m1', 0.1)]).search(query);
    expect(page.items.map((h) => h.messageId)).toEqual(['m3', 'm2']);
    expect(page.items[0]).toEqual({
      messageId: 'm3',
      conversationId: 'c1',
      customerId: 'cu1',
      seq: 1,
      authorId: 'cu1',
      type: 'message',
      createdAt: '2026-01-01T00:00:00.000Z',
      rank: 0.9,
      snippet: 'a <mark>refund</mark>',
    });
    expect(decodeSearchCursor(page.nextCursor ?? '')).toEqual([0.5, 'm2']);
  });

  it('has no cursor when nothing more matched', async () => {
    const page = await searching([hit('m3', 0.9), hit('m2', 0.5)]).search(query);
    expect(page.nextCursor).toBeNull();
  });
});
