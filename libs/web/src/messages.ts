import type { components, InboxEvent } from '@parley/client';

export type Message = components['schemas']['MessageItem'] & {
  /** Sent from this page and not yet confirmed by its `message.created` event. */
  pending?: boolean;
};

/** Messages by id, so a page loaded twice or an event seen both live and in a page shows once. */
export function mergeMessages(current: Message[], incoming: Message[]): Message[] {
  const byId = new Map(current.map((m) => [m.id, m]));
  for (const m of incoming) {
    const known = byId.get(m.id);
    // A confirmed message replaces its pending copy, never the other way round.
    if (!known || known.pending || !m.pending) byId.set(m.id, m);
  }
  // Pending messages have no seq yet: they stay at the end in the order they were sent.
  return [...byId.values()].sort((a, b) => {
    if (a.pending !== b.pending) return a.pending ? 1 : -1;
    return a.pending ? a.createdAt.localeCompare(b.createdAt) : a.seq - b.seq;
  });
}

/** The message a `message.created` or `note.created` inbox event announces. */
export function messageFromEvent(event: InboxEvent): Message | null {
  if (event.type !== 'message.created' && event.type !== 'note.created') return null;
  const data = event.data as Omit<Message, 'id' | 'via'> & { messageId: string; via?: Message['via'] };
  return {
    id: data.messageId,
    conversationId: data.conversationId,
    seq: data.seq,
    authorId: data.authorId,
    authorRole: data.authorRole,
    type: data.type,
    body: data.body,
    createdAt: data.createdAt,
    // The event leaves out `api`, the way every message came in before there were others.
    via: data.via ?? 'api',
    ...(data.attachments && { attachments: data.attachments }),
  };
}

/** A message just posted, shown until its event confirms it. */
export function pendingMessage(
  id: string,
  conversationId: string,
  author: { id: string; role: Message['authorRole'] },
  body: string,
  type: Message['type'] = 'message',
  attachments: Message['attachments'] = [],
): Message {
  return {
    id,
    conversationId,
    seq: 0,
    authorId: author.id,
    authorRole: author.role,
    type,
    body,
    createdAt: new Date().toISOString(),
    via: 'api',
    pending: true,
    ...(attachments?.length && { attachments }),
  };
}
