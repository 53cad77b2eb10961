import { Inject, Injectable } from '@nestjs/common';
import {
  ConversationAssignedData,
  ConversationCreatedData,
  ConversationRatedData,
  ConversationTransferredData,
  DomainEvent,
  ReceiptReadData,
  StatusChangedData,
  StoredMessageData,
} from '@parley/contracts';
import { SERVICE_CONFIG } from '@parley/runtime';
import { DataSource, EntityManager } from 'typeorm';
import { MailEnv } from '../mail.env';
import { PeopleRepository } from '../people/people.repository';
import { MailConversation, NotificationRepository } from './notification.repository';

/** An agent's reply a customer would want by email: not a note, not the site's automatic reply. */
export function isAgentReply(data: StoredMessageData): boolean {
  return data.authorRole === 'agent' && data.type === 'message' && (data.via ?? 'api') === 'api';
}

/**
 * Follows conversations and decides which emails wait: the first unread reply starts one
 * notification, due after the site's delay, that later replies join; the customer reading them
 * cancels it. A resolved conversation waits for its rating invitation the same delay.
 */
@Injectable()
export class ConversationFollower {
  constructor(
    private readonly db: DataSource,
    private readonly people: PeopleRepository,
    private readonly notifications: NotificationRepository,
    @Inject(SERVICE_CONFIG) private readonly config: MailEnv,
  ) {}

  async created(event: DomainEvent<ConversationCreatedData>): Promise<void> {
    await this.db.transaction((m) =>
      this.notifications.saveConversation(m, event.data, event.assigneeId ?? null),
    );
  }

  async assigned(event: DomainEvent<ConversationAssignedData>): Promise<void> {
    await this.db.transaction((m) =>
      this.notifications.assign(m, event.data.conversationId, event.data.assigneeId, event.occurredAt),
    );
  }

  async transferred(event: DomainEvent<ConversationTransferredData>): Promise<void> {
    await this.db.transaction((m) =>
      this.notifications.assign(m, event.data.conversationId, event.data.toAgentId, event.occurredAt),
    );
  }

  async messageCreated(event: DomainEvent<StoredMessageData>): Promise<void> {
    const reply = event.data;
    if (!isAgentReply(reply)) return;
    await this.db.transaction(async (m) => {
      const conversation = await this.notifications.conversation(m, reply.conversationId);
      if (!conversation || !(await this.notifications.addReply(m, reply))) return;
      if (reply.seq <= conversation.customerReadSeq) return;
      const dueAt = await this.after(m, conversation, new Date(reply.createdAt));
      await this.notifications.schedule(
        m,
        { conversationId: conversation.id, kind: 'reply', reference: 'replies' },
        dueAt,
      );
    });
  }

  /** The customer read up to `seq`: the email waits for what is still unread, or is cancelled. */
  async read(event: DomainEvent<ReceiptReadData>): Promise<void> {
    if (event.data.readerRole !== 'customer') return;
    await this.db.transaction(async (m) => {
      await this.notifications.markRead(m, event.data.conversationId, event.data.seq);
      const conversation = await this.notifications.conversation(m, event.data.conversationId);
      if (!conversation) return;
      const [firstUnread] = await this.notifications.unreadReplies(m, conversation);
      if (!firstUnread) return this.notifications.cancel(m, conversation.id, 'reply');
      await this.notifications.reschedule(
        m,
        conversation.id,
        'reply',
        await this.after(m, conversation, firstUnread.createdAt),
      );
    });
  }

  async statusChanged(event: DomainEvent<StatusChangedData>): Promise<void> {
    await this.db.transaction(async (m) => {
      const { conversationId, status } = event.data;
      await this.notifications.setStatus(m, conversationId, status, event.occurredAt);
      if (status !== 'resolved') return this.notifications.cancel(m, conversationId, 'rating');
      const conversation = await this.notifications.conversation(m, conversationId);
      if (!conversation) return;
      const dueAt = await this.after(m, conversation, new Date(event.occurredAt));
      await this.notifications.schedule(m, { conversationId, kind: 'rating', reference: event.id }, dueAt);
    });
  }

  async rated(event: DomainEvent<ConversationRatedData>): Promise<void> {
    await this.db.transaction((m) => this.notifications.cancel(m, event.data.conversationId, 'rating'));
  }

  /** `from` plus the conversation's site's notify delay (or the default). */
  private async after(m: EntityManager, conversation: MailConversation, from: Date): Promise<Date> {
    const site = await this.people.site(m, conversation.siteId);
    const seconds = site?.notifyDelaySeconds ?? this.config.PARLEY_MAIL_DEFAULT_NOTIFY_DELAY_SECONDS;
    return new Date(from.getTime() + seconds * 1000);
  }
}
