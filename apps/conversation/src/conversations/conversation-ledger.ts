import { Injectable } from '@nestjs/common';
import { Issuer } from '@parley/contracts';
import { DataSource, EntityManager } from 'typeorm';
import { Conversation } from './conversation.entity';
import { ConversationEntry } from './conversation-entry.entity';

export type AppendOutcome =
  | { kind: 'stored'; conversation: Conversation; entry: ConversationEntry }
  | { kind: 'unknown-conversation' }
  | { kind: 'not-a-participant' };

/**
 * Hands out each conversation's seq: the conversation row is locked for the append, so concurrent
 * writers (and replicas) get 1, 2, 3… with no gap and no repeat.
 */
@Injectable()
export class ConversationLedger {
  constructor(private readonly db: DataSource) {}

  async append(
    conversationId: string,
    messageId: string,
    author: Issuer,
    type: 'message' | 'note',
    at: Date,
  ): Promise<AppendOutcome> {
    return this.db.transaction(async (em) => {
      const earlier = await em.findOne(ConversationEntry, { where: { id: messageId } });
      if (earlier) {
        const conversation = await em.findOneByOrFail(Conversation, { id: earlier.conversationId });
        return { kind: 'stored', conversation, entry: earlier };
      }
      const conversation = await em.findOne(Conversation, {
        where: { id: conversationId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!conversation) return { kind: 'unknown-conversation' };
      if (author.role === 'customer' && conversation.customerId !== author.id)
        return { kind: 'not-a-participant' };
      const entry = await this.insertEntry(em, conversation, messageId, author, type, at);
      return { kind: 'stored', conversation, entry };
    });
  }

  async insertEntry(
    em: EntityManager,
    conversation: Conversation,
    messageId: string,
    author: Issuer,
    type: 'message' | 'note',
    at: Date,
  ): Promise<ConversationEntry> {
    const entry = em.create(ConversationEntry, {
      id: messageId,
      conversationId: conversation.id,
      seq: conversation.lastSeq + 1,
      authorId: author.id,
      authorRole: author.role,
      type,
      createdAt: at,
    });
    await em.insert(ConversationEntry, entry);
    conversation.lastSeq = entry.seq;
    conversation.lastMessageAt = at;
    await em.update(Conversation, { id: conversation.id }, { lastSeq: entry.seq, lastMessageAt: at });
    return entry;
  }
}
