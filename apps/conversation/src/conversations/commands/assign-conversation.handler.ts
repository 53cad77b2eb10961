import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { AssignConversation, DomainEvent } from '@parley/contracts';
import { HandleCommand, JetStreamContext } from '@parley/jetstream';
import { Assignment, LOAD_STATUSES } from '../../assignment/assignment';
import { CommandTransaction } from '../../events/command-transaction';
import type { UnitOfWork } from '../../events/unit-of-work';
import { existingAgent, existingConversation } from './existing';

@Controller()
export class AssignConversationHandler {
  constructor(
    private readonly tx: CommandTransaction,
    private readonly assignment: Assignment,
  ) {}

  @HandleCommand(AssignConversation)
  handle(@Payload() cmd: AssignConversation, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.tx.run(ctx, (unit, cause) => this.apply(unit, cmd, cause));
  }

  /** Manual assignment ignores capacity and presence; no agent puts the conversation back in the queue. */
  async apply(unit: UnitOfWork, cmd: AssignConversation, cause: string): Promise<DomainEvent<object>[]> {
    const conversation = await existingConversation(unit, cmd.conversationId);
    if (cmd.agentId) await existingAgent(unit, cmd.agentId);
    const previous = conversation.assigneeId;
    const assigned = await this.assignment.assign(
      unit,
      conversation,
      cmd.agentId ?? null,
      cmd.issuedBy.id,
      cause,
    );
    // The previous agent's freed capacity goes to the queue, though not straight back to this one.
    if (!previous || previous === cmd.agentId || !LOAD_STATUSES.includes(conversation.status))
      return assigned;
    return [...assigned, ...(await this.assignment.drainQueue(unit, cause, conversation.id))];
  }
}
