import { Controller, Logger } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import {
  AddNote,
  AssignConversation,
  ChangePriority,
  ChangeStatus,
  ConversationCreatedData,
  ConversationStatus,
  ConversationTransferredData,
  DomainEvent,
  eventId,
  EventTypes,
  Issuer,
  MarkRead,
  MessageRejectedData,
  OpenConversation,
  PostMessage,
  PriorityChangedData,
  ReceiptReadData,
  StatusChangedData,
  TransferConversation,
  WakeConversation,
} from '@parley/contracts';
import { HandleCommand, HandleCommandBatch, JetStreamContext, PermanentFailure } from '@parley/jetstream';
import { EntityManager } from 'typeorm';
import { Assignment, LOAD_STATUSES } from '../assignment/assignment';
import { CommandTransaction } from '../events/command-transaction';
import { conversationEvent, entryStored } from '../events/conversation-events';
import { Agent } from '../people/agent.entity';
import { Conversation } from './conversation.entity';
import { ConversationLedger } from './conversation-ledger';

type Events = DomainEvent<object>[];

function transferRecord(cmd: TransferConversation, from: string | null): string {
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
export class ConversationHandlers {
  private readonly log = new Logger(ConversationHandlers.name);

  constructor(
    private readonly tx: CommandTransaction,
    private readonly ledger: ConversationLedger,
    private readonly assignment: Assignment,
  ) {}

  @HandleCommand(OpenConversation)
  async openConversation(@Payload() cmd: OpenConversation, @Ctx() ctx: JetStreamContext): Promise<void> {
    await this.tx.run(ctx, async (em, events, cause) => {
      // Opened already: its id follows from the Idempotency-Key, so this is a retry, also one that
      // came after JetStream's duplicate window.
      if (await em.findOneBy(Conversation, { id: cmd.conversationId })) return;
      const now = new Date();
      const conversation = em.create(Conversation, {
        id: cmd.conversationId,
        customerId: cmd.issuedBy.id,
        subject: cmd.subject ?? null,
        status: 'open',
        priority: cmd.priority,
        assigneeId: null,
        team: null,
        lastSeq: 0,
        lastMessageAt: now,
        lastMessagePreview: null,
        snoozeUntil: null,
        queuedAt: now,
        createdAt: now,
      });
      await em.insert(Conversation, conversation);
      const first = this.ledger.append(em, conversation, cmd.messageId, cmd.issuedBy, 'message', cmd.body);
      const created: ConversationCreatedData = {
        conversationId: conversation.id,
        customerId: conversation.customerId,
        subject: conversation.subject,
        status: conversation.status,
        priority: conversation.priority,
        createdAt: now.toISOString(),
      };
      const assigned: Events = [];
      await this.assignment.autoAssign(em, conversation, cause, assigned);
      // Routed with its final assignee: an assigned agent gets it, otherwise every agent (the queue).
      events.push(
        {
          ...conversationEvent(EventTypes.conversationCreated, conversation, created, cause),
          id: eventId(EventTypes.conversationCreated, conversation.id),
        },
        entryStored(conversation, first, cmd.body),
        ...assigned,
      );
    });
  }

  /**
   * Messages come in batches under load: one transaction and one outbox flush for all of them. Their
   * conversations are locked, and which messages are recorded already looked up, once for the batch.
   */
  @HandleCommandBatch(PostMessage)
  async postMessages(@Payload() commands: PostMessage[], @Ctx() ctx: JetStreamContext): Promise<void> {
    await this.tx.runBatch(
      ctx,
      commands,
      (em, cmd, events, cause) => this.postMessage(em, cmd, events, cause),
      async (em) => {
        await this.ledger.lockAll(
          em,
          commands.map((cmd) => cmd.conversationId),
        );
        await this.ledger.recall(
          em,
          commands.map((cmd) => cmd.messageId),
        );
      },
    );
  }

  private async postMessage(
    em: EntityManager,
    cmd: PostMessage,
    events: Events,
    cause: string,
  ): Promise<void> {
    const conversation = await this.ledger.lock(em, cmd.conversationId);
    if (conversation && (await this.ledger.isRecorded(em, cmd.messageId))) return;
    const allowed =
      conversation && (cmd.issuedBy.role !== 'customer' || conversation.customerId === cmd.issuedBy.id);
    // The open is in the same partition and ahead in it, so a conversation not found does not exist.
    if (!conversation || !allowed) {
      // One reason for both cases: a customer must not learn that someone else's conversation exists.
      const data: MessageRejectedData = {
        messageId: cmd.messageId,
        conversationId: cmd.conversationId,
        authorId: cmd.issuedBy.id,
        reason: 'The conversation does not exist or you are not one of its participants.',
      };
      this.log.warn(`rejected message ${cmd.messageId} into ${cmd.conversationId}`);
      events.push({
        id: eventId(EventTypes.messageRejected, cmd.messageId),
        type: EventTypes.messageRejected,
        conversationId: cmd.conversationId,
        occurredAt: new Date().toISOString(),
        data,
      });
      return;
    }
    const entry = this.ledger.append(em, conversation, cmd.messageId, cmd.issuedBy, 'message', cmd.body);
    events.push(entryStored(conversation, entry, cmd.body));
    if (cmd.issuedBy.role === 'customer')
      await this.customerWrote(em, conversation, cmd.issuedBy, cause, events);
  }

  /** A customer writing into a resolved, snoozed or pending conversation makes it open again. */
  private async customerWrote(
    em: EntityManager,
    conversation: Conversation,
    customer: Issuer,
    cause: string,
    events: Events,
  ): Promise<void> {
    const previous = conversation.status;
    if (previous === 'open') return;
    await this.setStatus(em, conversation, 'open', null, customer.id, cause, events);
    if (previous === 'resolved' || !conversation.assigneeId) {
      await this.assignment.autoAssign(em, conversation, cause, events);
    }
  }

  @HandleCommand(AddNote)
  async addNote(@Payload() cmd: AddNote, @Ctx() ctx: JetStreamContext): Promise<void> {
    await this.tx.run(ctx, async (em, events) => {
      const conversation = await this.existing(em, cmd.conversationId);
      if (await this.ledger.isRecorded(em, cmd.noteId)) return;
      const entry = this.ledger.append(em, conversation, cmd.noteId, cmd.issuedBy, 'note', cmd.body);
      events.push(entryStored(conversation, entry, cmd.body));
    });
  }

  @HandleCommand(ChangeStatus)
  async changeStatus(@Payload() cmd: ChangeStatus, @Ctx() ctx: JetStreamContext): Promise<void> {
    await this.tx.run(ctx, async (em, events, cause) => {
      const conversation = await this.existing(em, cmd.conversationId);
      const previous = conversation.status;
      const changed = await this.setStatus(
        em,
        conversation,
        cmd.status,
        cmd.snoozeUntil ?? null,
        cmd.issuedBy.id,
        cause,
        events,
      );
      if (!changed) return;
      if (previous === 'resolved' && cmd.status === 'open' && !conversation.assigneeId) {
        await this.assignment.autoAssign(em, conversation, cause, events);
      }
      if (
        LOAD_STATUSES.includes(previous) &&
        !LOAD_STATUSES.includes(cmd.status) &&
        conversation.assigneeId
      ) {
        await this.assignment.drainQueue(em, cause, events);
      }
    });
  }

  @HandleCommand(WakeConversation)
  async wake(@Payload() cmd: WakeConversation, @Ctx() ctx: JetStreamContext): Promise<void> {
    await this.tx.run(ctx, async (em, events, cause) => {
      const conversation = await this.ledger.lock(em, cmd.conversationId);
      // Only the snooze this alarm was for: the conversation may have been woken or re-snoozed since.
      if (conversation?.status !== 'snoozed' || conversation.snoozeUntil?.toISOString() !== cmd.snoozeUntil)
        return;
      await this.setStatus(em, conversation, 'open', null, 'snooze', cause, events);
      if (!conversation.assigneeId) await this.assignment.autoAssign(em, conversation, cause, events);
    });
  }

  private async setStatus(
    em: EntityManager,
    conversation: Conversation,
    status: ConversationStatus,
    snoozeUntil: string | null,
    changedBy: string,
    cause: string,
    events: Events,
  ): Promise<boolean> {
    const previous = conversation.status;
    const until = status === 'snoozed' && snoozeUntil ? new Date(snoozeUntil) : null;
    if (previous === status && conversation.snoozeUntil?.getTime() === until?.getTime()) return false;
    conversation.status = status;
    conversation.snoozeUntil = until;
    const queuedAt = status === 'open' && !conversation.assigneeId ? new Date() : conversation.queuedAt;
    conversation.queuedAt = queuedAt;
    await em.update(Conversation, { id: conversation.id }, { status, snoozeUntil: until, queuedAt });
    const data: StatusChangedData = {
      conversationId: conversation.id,
      status,
      previousStatus: previous,
      snoozeUntil: until?.toISOString() ?? null,
      changedBy,
    };
    events.push(conversationEvent(EventTypes.statusChanged, conversation, data, cause));
    return true;
  }

  @HandleCommand(ChangePriority)
  async changePriority(@Payload() cmd: ChangePriority, @Ctx() ctx: JetStreamContext): Promise<void> {
    await this.tx.run(ctx, async (em, events, cause) => {
      const conversation = await this.existing(em, cmd.conversationId);
      const previous = conversation.priority;
      if (previous === cmd.priority) return;
      conversation.priority = cmd.priority;
      await em.update(Conversation, { id: conversation.id }, { priority: cmd.priority });
      const data: PriorityChangedData = {
        conversationId: conversation.id,
        priority: cmd.priority,
        previousPriority: previous,
        changedBy: cmd.issuedBy.id,
      };
      events.push(conversationEvent(EventTypes.priorityChanged, conversation, data, cause));
    });
  }

  @HandleCommand(AssignConversation)
  async assign(@Payload() cmd: AssignConversation, @Ctx() ctx: JetStreamContext): Promise<void> {
    await this.tx.run(ctx, async (em, events, cause) => {
      const conversation = await this.existing(em, cmd.conversationId);
      if (cmd.agentId) await this.existingAgent(em, cmd.agentId);
      const previous = conversation.assigneeId;
      await this.assignment.assign(em, conversation, cmd.agentId ?? null, cmd.issuedBy.id, cause, events);
      // The previous agent's freed capacity goes to the queue, though not straight back to this one.
      if (previous && previous !== cmd.agentId && LOAD_STATUSES.includes(conversation.status)) {
        await this.assignment.drainQueue(em, cause, events, conversation.id);
      }
    });
  }

  @HandleCommand(TransferConversation)
  async transfer(@Payload() cmd: TransferConversation, @Ctx() ctx: JetStreamContext): Promise<void> {
    await this.tx.run(ctx, async (em, events, cause) => {
      const conversation = await this.existing(em, cmd.conversationId);
      // The transfer is done once its record is in the history: a retry moves nothing again.
      if (await this.ledger.isRecorded(em, cmd.transferId)) return;
      if (cmd.agentId) await this.existingAgent(em, cmd.agentId);
      const from = conversation.assigneeId;
      if (cmd.team) {
        conversation.team = cmd.team;
        await em.update(Conversation, { id: conversation.id }, { team: cmd.team });
      }
      const record = this.ledger.append(
        em,
        conversation,
        cmd.transferId,
        cmd.issuedBy,
        'note',
        transferRecord(cmd, from),
      );
      await this.assignment.assign(em, conversation, cmd.agentId ?? null, cmd.issuedBy.id, cause, events);
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
      // The record reaches history as a private note; the new assignee gets everything from here on.
      events.unshift(
        conversationEvent(EventTypes.conversationTransferred, conversation, data, cause),
        entryStored(conversation, record, transferRecord(cmd, from)),
      );
      if (!cmd.agentId && LOAD_STATUSES.includes(conversation.status)) {
        await this.assignment.autoAssign(em, conversation, cause, events);
      }
      if (from && LOAD_STATUSES.includes(conversation.status)) {
        await this.assignment.drainQueue(em, cause, events, conversation.id);
      }
    });
  }

  @HandleCommand(MarkRead)
  async markRead(@Payload() cmd: MarkRead, @Ctx() ctx: JetStreamContext): Promise<void> {
    await this.tx.run(ctx, async (em, events, cause) => {
      const conversation = await this.existing(em, cmd.conversationId);
      if (cmd.issuedBy.role === 'customer' && conversation.customerId !== cmd.issuedBy.id) {
        throw new PermanentFailure(`${cmd.issuedBy.id} is not a participant of ${conversation.id}`, 404);
      }
      const seq = Math.min(cmd.seq, conversation.lastSeq);
      const readAt = new Date();
      const advanced = await em.query(
        `INSERT INTO conversation.read_horizons (conversation_id, principal_id, seq, read_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (conversation_id, principal_id) DO UPDATE SET seq = EXCLUDED.seq, read_at = EXCLUDED.read_at
         WHERE read_horizons.seq < EXCLUDED.seq
         RETURNING seq`,
        [conversation.id, cmd.issuedBy.id, seq, readAt],
      );
      if (!advanced.length) return;
      const data: ReceiptReadData = {
        conversationId: conversation.id,
        readerId: cmd.issuedBy.id,
        readerRole: cmd.issuedBy.role,
        seq,
        readAt: readAt.toISOString(),
      };
      events.push(conversationEvent(EventTypes.receiptRead, conversation, data, cause));
    });
  }

  /** Agent commands were checked by the gateway when the service was reachable; this is the last word. */
  private async existing(em: EntityManager, conversationId: string): Promise<Conversation> {
    const conversation = await this.ledger.lock(em, conversationId);
    if (!conversation) throw new PermanentFailure(`conversation ${conversationId} does not exist`, 404);
    return conversation;
  }

  private async existingAgent(em: EntityManager, agentId: string): Promise<void> {
    if (!(await em.findOneBy(Agent, { id: agentId })))
      throw new PermanentFailure(`agent ${agentId} does not exist`);
  }
}
