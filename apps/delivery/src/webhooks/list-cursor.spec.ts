import { QueryRejected } from '@parley/jetstream';
import { decodeListCursor, encodeListCursor, listPage } from './list-cursor';

describe('list cursor', () => {
  it('round-trips a creation time and an id', () => {
    expect(decodeListCursor(encodeListCursor(new Date('2026-01-01T10:00:00Z'), 'wh_1'))).toEqual([
      '2026-01-01T10:00:00.000Z',
      'wh_1',
    ]);
  });

  it.each([
    'not a cursor',
    Buffer.from('["yesterday","wh_1"]').toString('base64url'),
    Buffer.from('["2026-01-01T10:00:00Z",7]').toString('base64url'),
    Buffer.from(`["2026-01-01T10:00:00Z","${'x'.repeat(301)}"]`).toString('base64url'),
  ])('rejects %p as a 400', (cursor) => {
    expect(() => decodeListCursor(cursor)).toThrow(QueryRejected);
  });
});

describe('listPage', () => {
  const rows = [3, 2, 1].map((n) => ({ id: `wh_${n}`, created_at: new Date(Date.UTC(2026, 0, n)) }));

  it('keeps the page and continues after its last row when the extra row was read', () => {
    const page = listPage(rows, 2, (r) => r.id);
    expect(page.items).toEqual(['wh_3', 'wh_2']);
    expect(decodeListCursor(page.nextCursor ?? '')).toEqual(['2026-01-02T00:00:00.000Z', 'wh_2']);
  });

  it('ends the list when no extra row was read', () => {
    expect(listPage(rows, 3, (r) => r.id)).toEqual({ items: ['wh_3', 'wh_2', 'wh_1'], nextCursor: null });
  });
});
