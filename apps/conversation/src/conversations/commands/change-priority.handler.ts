import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { ChangePriority, DomainEvent, EventTypes, PriorityChangedData } from '@parley/contracts';
import { HandleCommand, JetStreamContext } from '@parley/jetstream';
import { CommandTransaction } from '../../events/command-transaction';
import { conversationEvent } from '../../events/conversation-events';
import type { UnitOfWork } from '../../events/unit-of-work';
import { existingConversation } from './existing';

@Controller()
export class ChangePriorityHandler {
  constructor(private readonly tx: CommandTransaction) {}

  @HandleCommand(ChangePriority)
  handle(@Payload() cmd: ChangePriority, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.tx.run(ctx, (unit, cause) => this.apply(unit, cmd, cause));
  }

  async apply(
    unit: UnitOfWork,
    cmd: ChangePriority,
    cause: string,
  ): Promise<DomainEvent<PriorityChangedData>[]> {
    const conversation = await existingConversation(unit, cmd.conversationId);
    const previous = conversation.priority;
    if (previous === cmd.priority) return [];
    conversation.priority = cmd.priority;
    await unit.conversations.update(conversation, 'priority');
    const data: PriorityChangedData = {
      conversationId: conversation.id,
      priority: cmd.priority,
      previousPriority: previous,
      changedBy: cmd.issuedBy.id,
    };
    return [conversationEvent(EventTypes.priorityChanged, conversation, data, cause)];
  }
}
