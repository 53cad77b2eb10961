import { QueryRejected } from '@parley/jetstream';

/** Opaque list cursors: the sort key of the last item, base64url-encoded. */
export function encodeKeyset(values: Array<string | number>): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeKeyset(cursor: string, shape: Array<'string' | 'number'>): Array<string | number> {
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    values = undefined;
  }
  const valid =
    Array.isArray(values) &&
    values.length === shape.length &&
    values.every((v, i) => typeof v === shape[i] && (typeof v !== 'string' || v.length <= 64));
  if (!valid) throw new QueryRejected(400, 'Invalid cursor', 'The cursor was not issued by this list.');
  return values as Array<string | number>;
}
