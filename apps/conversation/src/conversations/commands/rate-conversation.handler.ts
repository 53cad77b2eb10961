import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { ConversationRatedData, DomainEvent, EventTypes, RateConversation } from '@parley/contracts';
import { HandleCommand, JetStreamContext, PermanentFailure } from '@parley/jetstream';
import { CommandTransaction } from '../../events/command-transaction';
import { conversationEvent } from '../../events/conversation-events';
import type { UnitOfWork } from '../../events/unit-of-work';
import { erasedConversation } from './existing';

/** A customer rates how a resolved conversation went; it counts for the agent it is assigned to. */
@Controller()
export class RateConversationHandler {
  constructor(private readonly tx: CommandTransaction) {}

  @HandleCommand(RateConversation)
  handle(@Payload() cmd: RateConversation, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.tx.run(ctx, (unit, cause) => this.apply(unit, cmd, cause));
  }

  /**
   * The gateway lets through only the conversation's customer rating it resolved; a conversation
   * reopened in between is refused here for good, as no retry makes it resolved again.
   */
  async apply(
    unit: UnitOfWork,
    cmd: RateConversation,
    cause: string,
  ): Promise<DomainEvent<ConversationRatedData>[]> {
    const conversation = await unit.ledger.lock(cmd.conversationId);
    if (!conversation || conversation.customerId !== cmd.issuedBy.id)
      throw new PermanentFailure(`${cmd.issuedBy.id} may not rate conversation ${cmd.conversationId}`);
    if (conversation.erasedAt) throw erasedConversation(cmd.conversationId);
    if (conversation.status !== 'resolved')
      throw new PermanentFailure(
        `conversation ${cmd.conversationId} is ${conversation.status}, not resolved`,
      );
    const rating: ConversationRatedData = {
      conversationId: conversation.id,
      customerId: conversation.customerId,
      agentId: conversation.assigneeId,
      siteId: conversation.siteId,
      score: cmd.score,
      comment: cmd.comment ?? null,
      via: cmd.via,
      ratedAt: cmd.acceptedAt,
    };
    await unit.conversations.rate(rating);
    return [conversationEvent(EventTypes.conversationRated, conversation, rating, cause)];
  }
}
