import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { AddNote, DomainEvent } from '@parley/contracts';
import { HandleCommand, JetStreamContext } from '@parley/jetstream';
import { CommandTransaction } from '../../events/command-transaction';
import { entryStored } from '../../events/conversation-events';
import type { UnitOfWork } from '../../events/unit-of-work';
import { existingConversation } from './existing';

@Controller()
export class AddNoteHandler {
  constructor(private readonly tx: CommandTransaction) {}

  @HandleCommand(AddNote)
  handle(@Payload() cmd: AddNote, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.tx.run(ctx, (unit) => this.apply(unit, cmd));
  }

  /** A private note takes the conversation's next seq, like a message. */
  async apply(unit: UnitOfWork, cmd: AddNote): Promise<DomainEvent<object>[]> {
    const conversation = await existingConversation(unit, cmd.conversationId);
    if (await unit.ledger.isRecorded(cmd.noteId)) return [];
    const entry = unit.ledger.append(conversation, cmd.noteId, cmd.issuedBy, 'note', cmd.body);
    return [entryStored(conversation, entry, cmd.body)];
  }
}
