import { Page } from '@parley/contracts';
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

/** A page of a list read newest first with one row more than `limit`, to tell whether more follow. */
export function listPage<Row extends { created_at: Date; id: string }, View>(
  rows: Row[],
  limit: number,
  toView: (row: Row) => View,
): Page<View> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items: items.map(toView),
    nextCursor: rows.length > limit && last ? encodeListCursor(last.created_at, last.id) : null,
  };
}
