import { Injectable } from '@nestjs/common';
import { ConversationMessagesQuery, MessageView, Page } from '@parley/contracts';
import { QueryRejected } from '@parley/jetstream';
import { ConversationRepository } from '../conversations/conversation.repository';
import { MessageRepository } from './message.repository';

/** The pages of a conversation's history, for those who may read it. */
@Injectable()
export class ConversationHistory {
  constructor(
    private readonly conversations: ConversationRepository,
    private readonly messages: MessageRepository,
  ) {}

  /**
   * Keyset pages on (conversation_id, seq): `after` reads forwards, `before` backwards; either way
   * items are in ascending seq and nextCursor is the seq to continue from in the same direction.
   * A customer reads only their own conversations (any other is not found), and never notes. An
   * erased conversation is gone (410): nothing of what was said in it is kept.
   */
  async page(q: ConversationMessagesQuery): Promise<Page<MessageView>> {
    const customer = q.principal.role === 'customer';
    const customerId = await this.conversations.customerOf(q.conversationId);
    if (customerId === undefined && (await this.conversations.erased(q.conversationId)))
      throw new QueryRejected(
        410,
        'Erased',
        `Conversation ${q.conversationId} was erased: its content is gone.`,
      );
    if (customerId === undefined || (customer && customerId !== q.principal.id))
      throw new QueryRejected(404, 'Not found', `Conversation ${q.conversationId} was not found.`);

    const backwards = q.before !== undefined;
    const read = await this.messages.inConversation(q.conversationId, {
      from: q.before ?? q.after ?? 0,
      backwards,
      take: q.limit + 1,
      notes: !customer,
    });
    const more = read.length > q.limit;
    const items = read.slice(0, q.limit);
    if (backwards) items.reverse();
    const edge = backwards ? items[0] : items[items.length - 1];
    return { items, nextCursor: more && edge ? String(edge.seq) : null };
  }
}
