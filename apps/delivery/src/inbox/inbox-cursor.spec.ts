import { QueryRejected } from '@parley/jetstream';
import { encodeInboxCursor as encodeCursor } from '@parley/contracts';
import { decodeCursor } from './inbox-cursor';

describe('inbox cursor', () => {
  it('round-trips a position', () => {
    expect(decodeCursor(encodeCursor(42))).toBe('42');
  });

  it.each([
    '',
    'abc',
    Buffer.from('i1:-1').toString('base64url'),
    Buffer.from("i1:1' OR 1=1").toString('base64url'),
  ])('rejects %p as a 400', (cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(QueryRejected);
  });
});
