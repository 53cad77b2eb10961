import { inboxPosition } from '@parley/contracts';
import { QueryRejected } from '@parley/jetstream';

export function decodeCursor(cursor: string): string {
  const position = inboxPosition(cursor);
  if (!position) throw new QueryRejected(400, 'Invalid cursor', 'The cursor was not issued by this inbox.');
  return position;
}
