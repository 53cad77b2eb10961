import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import {
  AttachmentsExpiredData,
  ConversationErasedData,
  DomainEvent,
  EventTypes,
  ExpireAttachments,
  ExpireConversation,
  RequestRetentionRun,
  SetRetentionPolicy,
} from '@parley/contracts';
import { ContentKeys, HandleCommand, JetStreamContext, PermanentFailure } from '@parley/jetstream';
import { AttachmentCatalog } from '../attachments/attachment-catalog';
import { CommandTransaction } from '../events/command-transaction';
import { conversationEvent } from '../events/conversation-events';
import type { UnitOfWork } from '../events/unit-of-work';
import { retentionMetrics } from './retention-metrics';

/**
 * Sites' retention policies, and the removals the retention run issues to each conversation's
 * partition: applied there in turn with everything else about the conversation, so a customer
 * who reopens it first keeps it.
 */
@Controller()
export class RetentionHandlers {
  constructor(
    private readonly tx: CommandTransaction,
    private readonly attachments: AttachmentCatalog,
    private readonly contentKeys: ContentKeys,
  ) {}

  @HandleCommand(SetRetentionPolicy)
  handleSetPolicy(@Payload() cmd: SetRetentionPolicy, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.tx.run(ctx, (unit) => this.setPolicy(unit, cmd));
  }

  @HandleCommand(RequestRetentionRun)
  handleRequestRun(@Payload() cmd: RequestRetentionRun, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.tx.run(ctx, (unit) => this.requestRun(unit, cmd));
  }

  @HandleCommand(ExpireConversation)
  async handleExpireConversation(
    @Payload() cmd: ExpireConversation,
    @Ctx() ctx: JetStreamContext,
  ): Promise<void> {
    let removed = 0;
    await this.tx.run(ctx, async (unit, cause) => {
      const events = await this.expireConversation(unit, cmd, cause);
      removed = events.length;
      return events;
    });
    retentionMetrics.conversationsRemoved.inc(removed);
  }

  @HandleCommand(ExpireAttachments)
  async handleExpireAttachments(
    @Payload() cmd: ExpireAttachments,
    @Ctx() ctx: JetStreamContext,
  ): Promise<void> {
    let expired = 0;
    await this.tx.run(ctx, async (unit, cause) => {
      const events = await this.expireAttachments(unit, cmd, cause);
      expired = events.reduce((sum, event) => sum + event.data.attachmentIds.length, 0);
      return events;
    });
    retentionMetrics.attachmentsRemoved.inc(expired);
  }

  async setPolicy(unit: UnitOfWork, cmd: SetRetentionPolicy): Promise<[]> {
    if (!(await unit.retention.setPolicy(cmd)))
      throw new PermanentFailure(`site ${cmd.siteId} does not exist`);
    return [];
  }

  async requestRun(unit: UnitOfWork, cmd: RequestRetentionRun): Promise<[]> {
    if (!(await unit.retention.requestRun(cmd.siteId, cmd.acceptedAt)))
      throw new PermanentFailure(`site ${cmd.siteId} does not exist`);
    return [];
  }

  /**
   * Removes the conversation entirely if it is still the site's, resolved since before the run's
   * cutoff: its attachments' objects and its content key go first, so a failure before the commit
   * leaves the rows for the redelivery to remove (deleting twice is harmless); a conversation
   * reopened or removed meanwhile is left as it is.
   */
  async expireConversation(
    unit: UnitOfWork,
    cmd: ExpireConversation,
    cause: string,
  ): Promise<DomainEvent<ConversationErasedData>[]> {
    const conversation = await unit.ledger.lock(cmd.conversationId);
    if (
      !conversation ||
      conversation.siteId !== cmd.siteId ||
      conversation.status !== 'resolved' ||
      !conversation.resolvedAt ||
      conversation.resolvedAt >= new Date(cmd.resolvedBefore)
    )
      return [];
    for (const attachmentId of await unit.retention.keptAttachments(conversation.id))
      await this.attachments.delete(attachmentId);
    await this.contentKeys.destroy([{ kind: 'conversation', id: conversation.id }]);
    await unit.retention.removeConversation(conversation.id);
    const data: ConversationErasedData = {
      conversationId: conversation.id,
      customerId: conversation.customerId,
      siteId: conversation.siteId,
      reason: 'retention',
      erasureId: null,
    };
    return [conversationEvent(EventTypes.conversationErased, conversation, data, cause)];
  }

  /** Deletes the attachments' objects and marks them expired; those expired or taken later are left. */
  async expireAttachments(
    unit: UnitOfWork,
    cmd: ExpireAttachments,
    cause: string,
  ): Promise<DomainEvent<AttachmentsExpiredData>[]> {
    const conversation = await unit.ledger.lock(cmd.conversationId);
    if (!conversation) return [];
    const expired = await unit.retention.expireAttachments(
      conversation.id,
      cmd.attachmentIds,
      cmd.takenBefore,
    );
    if (!expired.length) return [];
    for (const attachmentId of expired) await this.attachments.delete(attachmentId);
    const data: AttachmentsExpiredData = { conversationId: conversation.id, attachmentIds: expired };
    return [conversationEvent(EventTypes.attachmentsExpired, conversation, data, cause)];
  }
}
