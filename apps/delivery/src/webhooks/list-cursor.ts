import { QueryRejected } from '@parley/jetstream';

/** The keyset cursor of the webhook and delivery lists: newest first on (created_at, id). */
export function encodeListCursor(createdAt: Date, id: string): string {
  return Buffer.from(JSON.stringify([createdAt.toISOString(), id])).toString('base64url');
}

export function decodeListCursor(cursor: string): [string, string] {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof at === 'string' && !Number.isNaN(Date.parse(at)) && typeof id === 'string' && id.length <= 300)
      return [at, id];
  } catch {
    // fall through to the 400 below
  }
  throw new QueryRejected(400, 'Invalid cursor', 'The cursor was not issued by this list.');
}
