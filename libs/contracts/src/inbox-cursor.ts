/** Inbox cursors are opaque to clients: a base64url wrapper around the inbox's insertion order. */
export function encodeInboxCursor(position: string | number): string {
  return Buffer.from(`i1:${position}`).toString('base64url');
}

/** The position inside a cursor, or null when the cursor was not issued by an inbox. */
export function inboxPosition(cursor: string): string | null {
  const match = /^i1:(\d{1,18})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match ? match[1] : null;
}
