import { Injectable } from '@nestjs/common';
import { ConversationAssignedData, DomainEvent, EventTypes } from '@parley/contracts';
import type { Conversation } from '../conversations/conversation.entity';
import { conversationEvent } from '../events/conversation-events';
import type { UnitOfWork } from '../events/unit-of-work';

/** Counted against capacity: what an agent is actively working on. */
export const LOAD_STATUSES: readonly string[] = ['open', 'pending'];

/**
 * Who handles a conversation. Automatic assignment prefers the agent who last handled the
 * customer when they are online with free capacity, then the least-loaded online agent with free
 * capacity; otherwise the conversation waits in the queue. Manual assignment always wins. Each
 * method returns the events it emits, in order.
 */
@Injectable()
export class Assignment {
  /** Sets the assignee (null: back to the queue); emits `conversation.assigned` when it changed. */
  async assign(
    unit: UnitOfWork,
    conversation: Conversation,
    agentId: string | null,
    assignedBy: string,
    cause: string,
  ): Promise<DomainEvent<ConversationAssignedData>[]> {
    const previous = conversation.assigneeId;
    conversation.assigneeId = agentId;
    if (agentId) conversation.queuedAt = null;
    else if (previous !== null || !conversation.queuedAt) conversation.queuedAt = new Date();
    await unit.conversations.update(conversation, 'assigneeId', 'queuedAt');
    if (agentId) await unit.people.recordAssignment(agentId, conversation.customerId);
    if (previous === agentId) return [];
    const data: ConversationAssignedData = {
      conversationId: conversation.id,
      assigneeId: agentId,
      previousAssigneeId: previous,
      assignedBy,
      team: conversation.team,
    };
    return [conversationEvent(EventTypes.conversationAssigned, conversation, data, cause)];
  }

  /** For a new or reopened conversation. */
  async autoAssign(
    unit: UnitOfWork,
    conversation: Conversation,
    cause: string,
  ): Promise<DomainEvent<ConversationAssignedData>[]> {
    await unit.people.lockAssignment();
    const agentId = await unit.people.pickAgent(conversation.customerId, conversation.team);
    return this.assign(unit, conversation, agentId, 'auto', cause);
  }

  /**
   * Gives queued conversations to agents with free capacity, highest priority and longest waiting
   * first; `except` stays queued (the conversation whose agent just freed the capacity).
   */
  async drainQueue(
    unit: UnitOfWork,
    cause: string,
    except?: string,
  ): Promise<DomainEvent<ConversationAssignedData>[]> {
    await unit.people.lockAssignment();
    const events: DomainEvent<ConversationAssignedData>[] = [];
    if (!(await unit.people.pickAgent(null, null))) return events;
    for (const id of await unit.conversations.queuedIds(except)) {
      const conversation = await unit.conversations.find(id);
      if (!conversation) continue;
      const agentId = await unit.people.pickAgent(conversation.customerId, conversation.team);
      if (agentId) events.push(...(await this.assign(unit, conversation, agentId, 'auto', cause)));
      // A team-bound conversation may lack only its team; stop once nobody has capacity at all.
      else if (!(await unit.people.pickAgent(null, null))) return events;
    }
    return events;
  }
}
