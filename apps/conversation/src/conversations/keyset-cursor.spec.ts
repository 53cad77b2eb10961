import { QueryRejected } from '@parley/jetstream';
import { decodeKeyset, encodeKeyset } from './keyset-cursor';

describe('keyset cursor', () => {
  it('round-trips a sort key', () => {
    expect(decodeKeyset(encodeKeyset(['2026-01-01T00:00:00.000Z', 'c1']), ['string', 'string'])).toEqual([
      '2026-01-01T00:00:00.000Z',
      'c1',
    ]);
  });

  it.each([
    '',
    'not-base64-json',
    encodeKeyset([1]),
    encodeKeyset(['a', 2]),
    encodeKeyset(['x'.repeat(65), 'y']),
  ])('rejects %p as a 400', (cursor) => {
    expect(() => decodeKeyset(cursor, ['string', 'string'])).toThrow(QueryRejected);
  });
});
