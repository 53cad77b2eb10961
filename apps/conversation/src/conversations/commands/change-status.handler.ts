import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import {
  ChangeStatus,
  ConversationStatus,
  DomainEvent,
  EventTypes,
  StatusChangedData,
  WakeConversation,
} from '@parley/contracts';
import { HandleCommand, JetStreamContext } from '@parley/jetstream';
import { Assignment, LOAD_STATUSES } from '../../assignment/assignment';
import { CommandTransaction } from '../../events/command-transaction';
import { conversationEvent } from '../../events/conversation-events';
import type { UnitOfWork } from '../../events/unit-of-work';
import type { Conversation } from '../conversation.entity';
import { existingConversation } from './existing';

/**
 * Sets the status (and the snooze's end) and emits `conversation.status_changed`; no event when
 * neither changed. A conversation open and unassigned enters the queue now.
 */
export async function setStatus(
  unit: UnitOfWork,
  conversation: Conversation,
  status: ConversationStatus,
  snoozeUntil: string | null,
  changedBy: string,
  cause: string,
): Promise<DomainEvent<StatusChangedData>[]> {
  const previous = conversation.status;
  const until = status === 'snoozed' && snoozeUntil ? new Date(snoozeUntil) : null;
  if (previous === status && conversation.snoozeUntil?.getTime() === until?.getTime()) return [];
  conversation.status = status;
  conversation.snoozeUntil = until;
  if (status === 'open' && !conversation.assigneeId) conversation.queuedAt = new Date();
  if (previous !== status) conversation.resolvedAt = status === 'resolved' ? new Date() : null;
  await unit.conversations.update(conversation, 'status', 'snoozeUntil', 'queuedAt', 'resolvedAt');
  const data: StatusChangedData = {
    conversationId: conversation.id,
    status,
    previousStatus: previous,
    snoozeUntil: until?.toISOString() ?? null,
    changedBy,
  };
  return [conversationEvent(EventTypes.statusChanged, conversation, data, cause)];
}

/** An agent changes the status, or the snooze alarm wakes a conversation whose snooze ran out. */
@Controller()
export class ChangeStatusHandler {
  constructor(
    private readonly tx: CommandTransaction,
    private readonly assignment: Assignment,
  ) {}

  @HandleCommand(ChangeStatus)
  handle(@Payload() cmd: ChangeStatus, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.tx.run(ctx, (unit, cause) => this.apply(unit, cmd, cause));
  }

  @HandleCommand(WakeConversation)
  handleWake(@Payload() cmd: WakeConversation, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.tx.run(ctx, (unit, cause) => this.wake(unit, cmd, cause));
  }

  /**
   * Reopening a resolved conversation nobody holds assigns it again; leaving the statuses that
   * count as load frees its agent's capacity for the queue.
   */
  async apply(unit: UnitOfWork, cmd: ChangeStatus, cause: string): Promise<DomainEvent<object>[]> {
    const conversation = await existingConversation(unit, cmd.conversationId);
    const previous = conversation.status;
    const changed = await setStatus(
      unit,
      conversation,
      cmd.status,
      cmd.snoozeUntil ?? null,
      cmd.issuedBy.id,
      cause,
    );
    if (!changed.length) return [];
    const events: DomainEvent<object>[] = [...changed];
    if (previous === 'resolved' && cmd.status === 'open' && !conversation.assigneeId) {
      events.push(...(await this.assignment.autoAssign(unit, conversation, cause)));
    }
    if (LOAD_STATUSES.includes(previous) && !LOAD_STATUSES.includes(cmd.status) && conversation.assigneeId) {
      events.push(...(await this.assignment.drainQueue(unit, cause)));
    }
    return events;
  }

  /** Only the snooze this alarm was for: the conversation may have been woken or re-snoozed since. */
  async wake(unit: UnitOfWork, cmd: WakeConversation, cause: string): Promise<DomainEvent<object>[]> {
    const conversation = await unit.ledger.lock(cmd.conversationId);
    if (conversation?.status !== 'snoozed' || conversation.snoozeUntil?.toISOString() !== cmd.snoozeUntil)
      return [];
    const woken = await setStatus(unit, conversation, 'open', null, 'snooze', cause);
    if (conversation.assigneeId) return woken;
    return [...woken, ...(await this.assignment.autoAssign(unit, conversation, cause))];
  }
}
