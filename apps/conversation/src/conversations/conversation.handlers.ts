import { Controller, Logger } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import {
  ConversationCreatedData,
  DomainEvent,
  eventId,
  EventTypes,
  MessageRejectedData,
  OpenConversation,
  PostMessage,
  StoredMessageData,
} from '@parley/contracts';
import { HandleCommand, JetStreamContext } from '@parley/jetstream';
import { DataSource } from 'typeorm';
import { DomainEvents } from '../events/domain-events';
import { Conversation } from './conversation.entity';
import { ConversationEntry } from './conversation-entry.entity';
import { ConversationLedger } from './conversation-ledger';

/** A command can overtake the one that opens its conversation on another replica; give that a moment. */
const UNKNOWN_CONVERSATION_ATTEMPTS = 3;

class ConversationNotYetKnown extends Error {}

function conversationCreated(conversation: Conversation): DomainEvent<ConversationCreatedData> {
  return {
    id: eventId(EventTypes.conversationCreated, conversation.id),
    type: EventTypes.conversationCreated,
    conversationId: conversation.id,
    customerId: conversation.customerId,
    assigneeId: conversation.assigneeId,
    occurredAt: conversation.createdAt.toISOString(),
    data: {
      conversationId: conversation.id,
      customerId: conversation.customerId,
      subject: conversation.subject,
      status: conversation.status,
      priority: conversation.priority,
      createdAt: conversation.createdAt.toISOString(),
    },
  };
}

function entryStored(
  conversation: Conversation,
  entry: ConversationEntry,
  body: string,
): DomainEvent<StoredMessageData> {
  const type = entry.type === 'note' ? EventTypes.noteCreated : EventTypes.messageCreated;
  return {
    id: eventId(type, entry.id),
    type,
    conversationId: conversation.id,
    customerId: conversation.customerId,
    assigneeId: conversation.assigneeId,
    occurredAt: entry.createdAt.toISOString(),
    data: {
      messageId: entry.id,
      conversationId: conversation.id,
      seq: entry.seq,
      authorId: entry.authorId,
      authorRole: entry.authorRole,
      type: entry.type,
      body,
      createdAt: entry.createdAt.toISOString(),
    },
  };
}

@Controller()
export class ConversationHandlers {
  private readonly log = new Logger(ConversationHandlers.name);

  constructor(
    private readonly db: DataSource,
    private readonly ledger: ConversationLedger,
    private readonly events: DomainEvents,
  ) {}

  @HandleCommand(OpenConversation)
  async openConversation(@Payload() cmd: OpenConversation): Promise<void> {
    const { conversation, entry } = await this.db.transaction(async (em) => {
      const existing = await em.findOne(Conversation, { where: { id: cmd.conversationId } });
      if (existing) {
        const first = await em.findOneByOrFail(ConversationEntry, { id: cmd.messageId });
        return { conversation: existing, entry: first };
      }
      const now = new Date();
      const created = em.create(Conversation, {
        id: cmd.conversationId,
        customerId: cmd.issuedBy.id,
        subject: cmd.subject ?? null,
        status: 'open',
        priority: cmd.priority,
        assigneeId: null,
        team: null,
        lastSeq: 0,
        lastMessageAt: now,
        createdAt: now,
      });
      await em.insert(Conversation, created);
      const first = await this.ledger.insertEntry(em, created, cmd.messageId, cmd.issuedBy, 'message', now);
      return { conversation: created, entry: first };
    });
    await this.events.emit(conversationCreated(conversation), entryStored(conversation, entry, cmd.body));
  }

  @HandleCommand(PostMessage)
  async postMessage(@Payload() cmd: PostMessage, @Ctx() ctx: JetStreamContext): Promise<void> {
    const outcome = await this.ledger.append(
      cmd.conversationId,
      cmd.messageId,
      cmd.issuedBy,
      'message',
      new Date(),
    );
    if (outcome.kind === 'stored') {
      await this.events.emit(entryStored(outcome.conversation, outcome.entry, cmd.body));
      return;
    }
    if (outcome.kind === 'unknown-conversation' && ctx.deliveryCount < UNKNOWN_CONVERSATION_ATTEMPTS) {
      throw new ConversationNotYetKnown(`conversation ${cmd.conversationId} is not known yet`);
    }
    const reason =
      outcome.kind === 'unknown-conversation'
        ? 'The conversation does not exist.'
        : 'The author is not a participant of this conversation.';
    this.log.warn(`rejected message ${cmd.messageId}: ${reason}`);
    const data: MessageRejectedData = {
      messageId: cmd.messageId,
      conversationId: cmd.conversationId,
      authorId: cmd.issuedBy.id,
      reason,
    };
    await this.events.emit({
      id: eventId(EventTypes.messageRejected, cmd.messageId),
      type: EventTypes.messageRejected,
      conversationId: cmd.conversationId,
      occurredAt: new Date().toISOString(),
      data,
    });
  }
}
