import { Controller, Inject, Logger } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import {
  AttachmentRef,
  CONVERSATION_ERASED_REASON,
  DomainEvent,
  eventId,
  EventTypes,
  MessageRejectedData,
  PostMessage,
} from '@parley/contracts';
import { HandleCommandBatch, JetStreamContext } from '@parley/jetstream';
import { Assignment } from '../../assignment/assignment';
import { ATTACHMENT_FILES, type AttachmentFiles } from '../../attachments/attachment-catalog';
import { CommandTransaction } from '../../events/command-transaction';
import { entryStored } from '../../events/conversation-events';
import type { UnitOfWork } from '../../events/unit-of-work';
import { automaticReply } from '../../sites/automatic-reply';
import type { Conversation } from '../conversation.entity';
import { setStatus } from './change-status.handler';

/** One reason for both cases: a customer must not learn that someone else's conversation exists. */
const NOT_A_PARTICIPANT = 'The conversation does not exist or you are not one of its participants.';
/** An attachment is checked against the object store: it exists and was uploaded into this conversation. */
const UNKNOWN_ATTACHMENT =
  'An attachment does not exist, was deleted as unused, or was uploaded into another conversation.';

@Controller()
export class PostMessageHandler {
  private readonly log = new Logger(PostMessageHandler.name);

  constructor(
    private readonly tx: CommandTransaction,
    private readonly assignment: Assignment,
    @Inject(ATTACHMENT_FILES) private readonly files: AttachmentFiles,
  ) {}

  /**
   * Messages come in batches under load: one transaction and one outbox flush for all of them. Their
   * conversations are locked, and which messages are recorded already looked up, once for the batch.
   */
  @HandleCommandBatch(PostMessage)
  handle(@Payload() commands: PostMessage[], @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.tx.runBatch(
      ctx,
      commands,
      (unit, cmd, cause) => this.apply(unit, cmd, cause),
      (unit) => this.prepare(unit, commands),
    );
  }

  async prepare(unit: UnitOfWork, commands: PostMessage[]): Promise<void> {
    await unit.ledger.lockAll(commands.map((cmd) => cmd.conversationId));
    await unit.ledger.recall(commands.map((cmd) => cmd.messageId));
  }

  /** Appends the message; one into a conversation the author is not part of is rejected. */
  async apply(unit: UnitOfWork, cmd: PostMessage, cause: string): Promise<DomainEvent<object>[]> {
    const conversation = await unit.ledger.lock(cmd.conversationId);
    if (conversation && (await unit.ledger.isRecorded(cmd.messageId))) return [];
    const allowed =
      conversation && (cmd.issuedBy.role !== 'customer' || conversation.customerId === cmd.issuedBy.id);
    // The open is in the same partition and ahead in it, so a conversation not found does not exist.
    if (!conversation || !allowed) return [this.rejected(cmd, NOT_A_PARTICIPANT)];
    if (conversation.erasedAt) return [this.rejected(cmd, CONVERSATION_ERASED_REASON)];
    const attachments = await this.attachmentsOf(unit, cmd);
    if (!attachments) return [this.rejected(cmd, UNKNOWN_ATTACHMENT)];
    const entry = unit.ledger.append(conversation, cmd.messageId, cmd.issuedBy, 'message', cmd.body, cmd.via);
    const stored = entryStored(conversation, entry, cmd.body, attachments);
    if (cmd.issuedBy.role !== 'customer') {
      await this.firstResponse(unit, conversation, entry.createdAt);
      return [stored];
    }
    return [
      stored,
      ...(await automaticReply(unit, conversation, entry.createdAt)),
      ...(await this.customerWrote(unit, conversation, cmd.issuedBy.id, cause)),
    ];
  }

  /**
   * The message's attachments as it carries them: each must be in the object store, uploaded into
   * this conversation, and not swept as unused (the reference taken here keeps it from the sweep).
   */
  private async attachmentsOf(unit: UnitOfWork, cmd: PostMessage): Promise<AttachmentRef[] | undefined> {
    const ids = cmd.attachments ?? [];
    if (!ids.length) return [];
    const refs = await this.files.describe(ids, cmd.conversationId);
    if (!refs) return undefined;
    const swept = await unit.attachments.reference(cmd.conversationId, cmd.messageId, ids);
    return swept.length ? undefined : refs;
  }

  /** The first agent message answers the customer: what the site's usual reply time is made of. */
  private async firstResponse(unit: UnitOfWork, conversation: Conversation, at: Date): Promise<void> {
    if (conversation.firstResponseAt) return;
    conversation.firstResponseAt = at;
    await unit.conversations.update(conversation, 'firstResponseAt');
  }

  private rejected(cmd: PostMessage, reason: string): DomainEvent<MessageRejectedData> {
    this.log.warn(`rejected message ${cmd.messageId} into ${cmd.conversationId}`);
    return {
      id: eventId(EventTypes.messageRejected, cmd.messageId),
      type: EventTypes.messageRejected,
      conversationId: cmd.conversationId,
      occurredAt: new Date().toISOString(),
      data: {
        messageId: cmd.messageId,
        conversationId: cmd.conversationId,
        authorId: cmd.issuedBy.id,
        reason,
      },
    };
  }

  /** A customer writing into a resolved, snoozed or pending conversation makes it open again. */
  private async customerWrote(
    unit: UnitOfWork,
    conversation: Conversation,
    customerId: string,
    cause: string,
  ): Promise<DomainEvent<object>[]> {
    const previous = conversation.status;
    if (previous === 'open') return [];
    const reopened = await setStatus(unit, conversation, 'open', null, customerId, cause);
    if (previous !== 'resolved' && conversation.assigneeId) return reopened;
    return [...reopened, ...(await this.assignment.autoAssign(unit, conversation, cause))];
  }
}
