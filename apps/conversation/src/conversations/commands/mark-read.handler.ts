import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { DomainEvent, EventTypes, MarkRead, ReceiptReadData } from '@parley/contracts';
import { HandleCommand, JetStreamContext, PermanentFailure } from '@parley/jetstream';
import { CommandTransaction } from '../../events/command-transaction';
import { conversationEvent } from '../../events/conversation-events';
import type { UnitOfWork } from '../../events/unit-of-work';
import { existingConversation } from './existing';

@Controller()
export class MarkReadHandler {
  constructor(private readonly tx: CommandTransaction) {}

  @HandleCommand(MarkRead)
  handle(@Payload() cmd: MarkRead, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.tx.run(ctx, (unit, cause) => this.apply(unit, cmd, cause));
  }

  /** Moves the reader's horizon forward, never back, and never past the conversation's last seq. */
  async apply(unit: UnitOfWork, cmd: MarkRead, cause: string): Promise<DomainEvent<ReceiptReadData>[]> {
    const conversation = await existingConversation(unit, cmd.conversationId);
    if (cmd.issuedBy.role === 'customer' && conversation.customerId !== cmd.issuedBy.id) {
      throw new PermanentFailure(`${cmd.issuedBy.id} is not a participant of ${conversation.id}`, 404);
    }
    const seq = Math.min(cmd.seq, conversation.lastSeq);
    const readAt = new Date();
    if (!(await unit.conversations.advanceReadHorizon(conversation.id, cmd.issuedBy.id, seq, readAt)))
      return [];
    const data: ReceiptReadData = {
      conversationId: conversation.id,
      readerId: cmd.issuedBy.id,
      readerRole: cmd.issuedBy.role,
      seq,
      readAt: readAt.toISOString(),
    };
    return [conversationEvent(EventTypes.receiptRead, conversation, data, cause)];
  }
}
