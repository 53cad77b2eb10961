import { AttachmentRef, DomainEvent, eventId, EventTypes, StoredMessageData } from '@parley/contracts';
import type { Conversation } from '../conversations/conversation.entity';
import type { ConversationEntry } from '../conversations/conversation-entry.entity';

/**
 * An event about a conversation, addressed with its customer and assignee as they are now. `cause`
 * (the stream sequence of the command that led to it) makes the id unique and stable.
 */
export function conversationEvent<T extends object>(
  type: string,
  conversation: Conversation,
  data: T,
  cause: string,
): DomainEvent<T> {
  return {
    id: `${type}:${conversation.id}:${cause}`,
    type,
    conversationId: conversation.id,
    customerId: conversation.customerId,
    assigneeId: conversation.assigneeId,
    occurredAt: new Date().toISOString(),
    data,
  };
}

export function entryStored(
  conversation: Conversation,
  entry: ConversationEntry,
  body: string,
  attachments: AttachmentRef[] = [],
): DomainEvent<StoredMessageData> {
  const type = entry.type === 'note' ? EventTypes.noteCreated : EventTypes.messageCreated;
  return {
    ...conversationEvent(
      type,
      conversation,
      {
        messageId: entry.id,
        conversationId: conversation.id,
        seq: entry.seq,
        authorId: entry.authorId,
        authorRole: entry.authorRole,
        type: entry.type,
        body,
        createdAt: entry.createdAt.toISOString(),
        ...(entry.via && { via: entry.via }),
        ...(attachments.length ? { attachments } : {}),
      },
      entry.id,
    ),
    id: eventId(type, entry.id),
    occurredAt: entry.createdAt.toISOString(),
  };
}
