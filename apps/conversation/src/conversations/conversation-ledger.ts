import { Injectable } from '@nestjs/common';
import { Issuer } from '@parley/contracts';
import { EntityManager } from 'typeorm';
import { Conversation } from './conversation.entity';
import { ConversationEntry } from './conversation-entry.entity';

const PREVIEW_LENGTH = 140;

/**
 * Hands out each conversation's seq. The conversation row is locked for the rest of the
 * transaction, so concurrent writers (and replicas) get 1, 2, 3… with no gap and no repeat.
 */
@Injectable()
export class ConversationLedger {
  /**
   * Rows this transaction has locked, as loaded: a batch of messages into one conversation reads it
   * once. Every change in the transaction goes through the same object, so it stays current.
   */
  private readonly locked = new WeakMap<EntityManager, Map<string, Conversation>>();

  async lock(em: EntityManager, conversationId: string): Promise<Conversation | null> {
    const held = this.locked.get(em) ?? new Map<string, Conversation>();
    const known = held.get(conversationId);
    if (known) return known;
    const conversation = await em.findOne(Conversation, {
      where: { id: conversationId },
      lock: { mode: 'pessimistic_write' },
    });
    if (conversation) this.locked.set(em, held.set(conversationId, conversation));
    return conversation;
  }

  async append(
    em: EntityManager,
    conversation: Conversation,
    entryId: string,
    author: Issuer,
    type: 'message' | 'note',
    body: string,
  ): Promise<ConversationEntry> {
    const at = new Date();
    const entry = em.create(ConversationEntry, {
      id: entryId,
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
    if (type === 'message') conversation.lastMessagePreview = body.slice(0, PREVIEW_LENGTH);
    await em.update(
      Conversation,
      { id: conversation.id },
      { lastSeq: entry.seq, lastMessageAt: at, lastMessagePreview: conversation.lastMessagePreview },
    );
    return entry;
  }
}
