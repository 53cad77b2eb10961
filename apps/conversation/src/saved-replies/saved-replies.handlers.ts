import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { ChangeSavedReply, DeleteSavedReply, Issuer, SaveReply, SavedReplyView } from '@parley/contracts';
import { HandleCommand, JetStreamContext, PermanentFailure } from '@parley/jetstream';
import { CommandTransaction } from '../events/command-transaction';
import type { UnitOfWork } from '../events/unit-of-work';

const shortcutTaken = (shortcut: string) =>
  new PermanentFailure(`the shortcut "${shortcut}" is taken in this scope`, 409);

/**
 * Saved replies being saved, changed and deleted. The gateway lets only admins and supervisors
 * write the team's; a personal reply is its owner's alone, which this service checks as the last
 * word. Like labels, they share one partition, so a shortcut checked free stays free.
 */
@Controller()
export class SavedRepliesHandlers {
  constructor(private readonly tx: CommandTransaction) {}

  @HandleCommand(SaveReply)
  handleSave(@Payload() cmd: SaveReply, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.tx.run(ctx, (unit) => this.save(unit, cmd));
  }

  @HandleCommand(ChangeSavedReply)
  handleChange(@Payload() cmd: ChangeSavedReply, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.tx.run(ctx, (unit) => this.change(unit, cmd));
  }

  @HandleCommand(DeleteSavedReply)
  handleDelete(@Payload() cmd: DeleteSavedReply, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.tx.run(ctx, (unit) => this.delete(unit, cmd));
  }

  async save(unit: UnitOfWork, cmd: SaveReply): Promise<[]> {
    const ownerId = cmd.scope === 'personal' ? cmd.issuedBy.id : null;
    if ((await unit.savedReplies.save(cmd, ownerId)) === 'shortcut-taken') throw shortcutTaken(cmd.shortcut);
    return [];
  }

  async change(unit: UnitOfWork, cmd: ChangeSavedReply): Promise<[]> {
    const reply = await this.ownReply(unit, cmd.replyId, cmd.issuedBy);
    if (
      cmd.shortcut !== undefined &&
      (await unit.savedReplies.shortcutTaken(cmd.shortcut, reply.ownerId, reply.id))
    )
      throw shortcutTaken(cmd.shortcut);
    await unit.savedReplies.change(cmd);
    return [];
  }

  /** Deleting a reply again changes nothing. */
  async delete(unit: UnitOfWork, cmd: DeleteSavedReply): Promise<[]> {
    const reply = await unit.savedReplies.one(cmd.replyId);
    if (reply) {
      this.mayWrite(reply, cmd.issuedBy);
      await unit.savedReplies.delete(reply.id);
    }
    return [];
  }

  private async ownReply(unit: UnitOfWork, replyId: string, issuer: Issuer): Promise<SavedReplyView> {
    const reply = await unit.savedReplies.one(replyId);
    if (!reply) throw new PermanentFailure(`saved reply ${replyId} does not exist`, 404);
    this.mayWrite(reply, issuer);
    return reply;
  }

  /** Someone else's personal reply does not exist, as far as the issuer can tell. */
  private mayWrite(reply: SavedReplyView, issuer: Issuer): void {
    if (reply.ownerId !== null && reply.ownerId !== issuer.id)
      throw new PermanentFailure(`saved reply ${reply.id} does not exist`, 404);
  }
}
