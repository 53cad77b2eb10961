import { QueryRejected } from '@parley/jetstream';
import { decodeListCursor, encodeListCursor } from './list-cursor';

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
