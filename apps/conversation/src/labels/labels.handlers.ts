import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import {
  ChangeLabel,
  DefineLabel,
  DeleteLabel,
  DomainEvent,
  EventTypes,
  LabelsChangedData,
  SetConversationLabels,
} from '@parley/contracts';
import { HandleCommand, JetStreamContext, PermanentFailure } from '@parley/jetstream';
import { existingConversation } from '../conversations/commands/existing';
import { CommandTransaction } from '../events/command-transaction';
import { conversationEvent } from '../events/conversation-events';
import type { UnitOfWork } from '../events/unit-of-work';

const noSuchLabel = (labelId: string) => new PermanentFailure(`label ${labelId} does not exist`, 404);
const nameTaken = (name: string) => new PermanentFailure(`a label named "${name}" exists already`, 409);

/**
 * Labels being defined, changed and deleted (the gateway lets admins and supervisors), and put on
 * conversations (any agent). Label commands carry no conversation, so they share one partition and
 * are applied one after another: a name checked free stays free until it is taken.
 */
@Controller()
export class LabelsHandlers {
  constructor(private readonly tx: CommandTransaction) {}

  @HandleCommand(DefineLabel)
  handleDefine(@Payload() cmd: DefineLabel, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.tx.run(ctx, (unit) => this.define(unit, cmd));
  }

  @HandleCommand(ChangeLabel)
  handleChange(@Payload() cmd: ChangeLabel, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.tx.run(ctx, (unit) => this.change(unit, cmd));
  }

  @HandleCommand(DeleteLabel)
  handleDelete(@Payload() cmd: DeleteLabel, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.tx.run(ctx, (unit) => this.delete(unit, cmd));
  }

  @HandleCommand(SetConversationLabels)
  handleSet(@Payload() cmd: SetConversationLabels, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.tx.run(ctx, (unit, cause) => this.set(unit, cmd, cause));
  }

  async define(unit: UnitOfWork, cmd: DefineLabel): Promise<[]> {
    if ((await unit.labels.define(cmd)) === 'name-taken') throw nameTaken(cmd.name);
    return [];
  }

  async change(unit: UnitOfWork, cmd: ChangeLabel): Promise<[]> {
    if (cmd.name !== undefined && (await unit.labels.nameTaken(cmd.name, cmd.labelId)))
      throw nameTaken(cmd.name);
    if (!(await unit.labels.change(cmd))) throw noSuchLabel(cmd.labelId);
    return [];
  }

  /** Deleting a label takes it off its conversations; deleting it again changes nothing. */
  async delete(unit: UnitOfWork, cmd: DeleteLabel): Promise<[]> {
    await unit.labels.delete(cmd.labelId);
    return [];
  }

  /**
   * The conversation carries these labels from now on, in the order given (a label deleted
   * meanwhile is left out). No change, no event.
   */
  async set(
    unit: UnitOfWork,
    cmd: SetConversationLabels,
    cause: string,
  ): Promise<DomainEvent<LabelsChangedData>[]> {
    const conversation = await existingConversation(unit, cmd.conversationId);
    const labels = await unit.labels.refs([...new Set(cmd.labelIds)]);
    const previous = conversation.labels;
    const next = labels.map((label) => label.id);
    if (next.length === previous.length && next.every((id, i) => id === previous[i])) return [];
    conversation.labels = next;
    await unit.conversations.update(conversation, 'labels');
    const data: LabelsChangedData = {
      conversationId: conversation.id,
      labels,
      added: next.filter((id) => !previous.includes(id)),
      removed: previous.filter((id) => !next.includes(id)),
      changedBy: cmd.issuedBy.id,
    };
    return [conversationEvent(EventTypes.labelsChanged, conversation, data, cause)];
  }
}
