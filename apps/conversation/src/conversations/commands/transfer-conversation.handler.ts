import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import {
  ConversationTransferredData,
  DomainEvent,
  EventTypes,
  TransferConversation,
} from '@parley/contracts';
import { HandleCommand, JetStreamContext } from '@parley/jetstream';
import { Assignment, LOAD_STATUSES } from '../../assignment/assignment';
import { CommandTransaction } from '../../events/command-transaction';
import { conversationEvent, entryStored } from '../../events/conversation-events';
import type { UnitOfWork } from '../../events/unit-of-work';
import { existingAgent, existingConversation } from './existing';

/** The private note that records a transfer: who, from whom, to whom, why. */
export function transferRecord(cmd: TransferConversation, from: string | null): string {
  const to = [cmd.agentId && `agent ${cmd.agentId}`, cmd.team && `team ${cmd.team}`]
    .filter(Boolean)
    .join(', ');
  return [
    `Transferred from ${from ? `agent ${from}` : 'the queue'} to ${to} by agent ${cmd.issuedBy.id}.`,
    cmd.reason && `Reason: ${cmd.reason}`,
    cmd.note && `Note: ${cmd.note}`,
  ]
    .filter(Boolean)
    .join('\n');
}

@Controller()
export class TransferConversationHandler {
  constructor(
    private readonly tx: CommandTransaction,
    private readonly assignment: Assignment,
  ) {}

  @HandleCommand(TransferConversation)
  handle(@Payload() cmd: TransferConversation, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.tx.run(ctx, (unit, cause) => this.apply(unit, cmd, cause));
  }

  /**
   * Hands the conversation to an agent, or to a team's queue, with a private note in its history.
   * The transfer and its note come first, then the assignment they led to, then what the freed
   * capacity drained from the queue.
   */
  async apply(unit: UnitOfWork, cmd: TransferConversation, cause: string): Promise<DomainEvent<object>[]> {
    const conversation = await existingConversation(unit, cmd.conversationId);
    // The transfer is done once its record is in the history: a retry moves nothing again.
    if (await unit.ledger.isRecorded(cmd.transferId)) return [];
    if (cmd.agentId) await existingAgent(unit, cmd.agentId);
    const from = conversation.assigneeId;
    if (cmd.team) {
      conversation.team = cmd.team;
      await unit.conversations.update(conversation, 'team');
    }
    const body = transferRecord(cmd, from);
    const record = unit.ledger.append(conversation, cmd.transferId, cmd.issuedBy, 'note', body);
    const assigned = await this.assignment.assign(
      unit,
      conversation,
      cmd.agentId ?? null,
      cmd.issuedBy.id,
      cause,
    );
    const data: ConversationTransferredData = {
      conversationId: conversation.id,
      fromAgentId: from,
      toAgentId: cmd.agentId ?? null,
      team: conversation.team,
      reason: cmd.reason ?? null,
      note: cmd.note ?? null,
      transferredBy: cmd.issuedBy.id,
      entryId: record.id,
      seq: record.seq,
    };
    // Addressed to the new assignee: they get everything from here on, the record as a private note.
    const events: DomainEvent<object>[] = [
      conversationEvent(EventTypes.conversationTransferred, conversation, data, cause),
      entryStored(conversation, record, body),
      ...assigned,
    ];
    if (!cmd.agentId && LOAD_STATUSES.includes(conversation.status)) {
      events.push(...(await this.assignment.autoAssign(unit, conversation, cause)));
    }
    if (from && LOAD_STATUSES.includes(conversation.status)) {
      events.push(...(await this.assignment.drainQueue(unit, cause, conversation.id)));
    }
    return events;
  }
}
