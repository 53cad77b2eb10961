import { QueryRejected } from '@parley/jetstream';

/** Cursors are opaque to clients: a base64url wrapper around the inbox's insertion order. */
export function encodeCursor(position: string | number): string {
  return Buffer.from(`i1:${position}`).toString('base64url');
}

export function decodeCursor(cursor: string): string {
  const match = /^i1:(\d{1,18})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new QueryRejected(400, 'Invalid cursor', 'The cursor was not issued by this inbox.');
  return match[1];
}
