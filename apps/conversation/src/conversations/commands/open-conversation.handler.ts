import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import {
  ConversationCreatedData,
  DomainEvent,
  eventId,
  EventTypes,
  OpenConversation,
} from '@parley/contracts';
import { HandleCommand, JetStreamContext, PermanentFailure } from '@parley/jetstream';
import { Assignment } from '../../assignment/assignment';
import { CommandTransaction } from '../../events/command-transaction';
import { conversationEvent, entryStored } from '../../events/conversation-events';
import type { UnitOfWork } from '../../events/unit-of-work';
import { automaticReply } from '../../sites/automatic-reply';
import { openedConversation } from '../conversation.entity';

@Controller()
export class OpenConversationHandler {
  constructor(
    private readonly tx: CommandTransaction,
    private readonly assignment: Assignment,
  ) {}

  @HandleCommand(OpenConversation)
  handle(@Payload() cmd: OpenConversation, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.tx.run(ctx, (unit, cause) => this.apply(unit, cmd, cause));
  }

  /** Opens the conversation with its first message and assigns it, or queues it. */
  async apply(unit: UnitOfWork, cmd: OpenConversation, cause: string): Promise<DomainEvent<object>[]> {
    // Opened already: its id follows from the Idempotency-Key, so this is a retry, also one that
    // came after JetStream's duplicate window.
    if (await unit.conversations.find(cmd.conversationId)) return [];
    if (await unit.erasures.customerErased(cmd.issuedBy.id))
      throw new PermanentFailure(`customer ${cmd.issuedBy.id} was erased`, 410);
    const conversation = openedConversation(cmd, new Date());
    await unit.conversations.insert(conversation);
    const first = unit.ledger.append(conversation, cmd.messageId, cmd.issuedBy, 'message', cmd.body);
    const created: ConversationCreatedData = {
      conversationId: conversation.id,
      customerId: conversation.customerId,
      siteId: conversation.siteId,
      subject: conversation.subject,
      status: conversation.status,
      priority: conversation.priority,
      createdAt: conversation.createdAt.toISOString(),
    };
    const automatic = await automaticReply(unit, conversation, conversation.createdAt);
    const assigned = await this.assignment.autoAssign(unit, conversation, cause);
    // Routed with its final assignee: an assigned agent gets it, otherwise every agent (the queue).
    return [
      {
        ...conversationEvent(EventTypes.conversationCreated, conversation, created, cause),
        id: eventId(EventTypes.conversationCreated, conversation.id),
      },
      entryStored(conversation, first, cmd.body),
      ...automatic,
      ...assigned,
    ];
  }
}
