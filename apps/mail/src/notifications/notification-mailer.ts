import { Inject, Injectable } from '@nestjs/common';
import { SERVICE_CONFIG } from '@parley/runtime';
import { DataSource, EntityManager } from 'typeorm';
import { MailLinks } from '../mail-links';
import { MailEnv } from '../mail.env';
import { EmailContent } from '../outbound/outbound-email';
import { SentEmailRepository } from '../outbound/sent-email.repository';
import { Customer, PeopleRepository } from '../people/people.repository';
import { DueNotification, MailConversation, NotificationRepository } from './notification.repository';
import { RenderedEmail, ratingInvitation, replyNotification } from './templates';
import { workOffDue } from '../due-work';

/**
 * Turns due notifications into emails in the ledger, each in the transaction that removes the
 * notification: a notification becomes exactly one queued email, whichever process claims it.
 */
@Injectable()
export class NotificationMailer {
  constructor(
    private readonly db: DataSource,
    private readonly people: PeopleRepository,
    private readonly notifications: NotificationRepository,
    private readonly ledger: SentEmailRepository,
    private readonly links: MailLinks,
    @Inject(SERVICE_CONFIG) private readonly config: MailEnv,
  ) {}

  async composeDue(stopped: () => boolean): Promise<void> {
    await workOffDue(
      this.db,
      stopped,
      (m, limit) => this.notifications.claimDue(m, limit),
      async (m, notification) => {
        await this.compose(m, notification);
        await this.notifications.cancel(m, notification.conversationId, notification.kind);
      },
    );
  }

  private async compose(m: EntityManager, due: DueNotification): Promise<void> {
    const conversation = await this.notifications.conversation(m, due.conversationId);
    if (!conversation) return;
    const customer = await this.people.customer(m, conversation.customerId);
    // Nobody to write to, or they asked not to be written to: the notification simply goes.
    if (!customer?.email || customer.unsubscribed) return;
    if (due.kind === 'reply') await this.composeReplies(m, conversation, customer);
    else if (conversation.status === 'resolved')
      await this.composeRating(m, conversation, customer, due.reference);
  }

  private async composeReplies(
    m: EntityManager,
    conversation: MailConversation,
    customer: Customer,
  ): Promise<void> {
    const replies = await this.notifications.unreadReplies(m, conversation);
    if (!replies.length) return;
    const last = replies[replies.length - 1];
    const names = await this.people.agentNames(m, [...new Set(replies.map((r) => r.authorId))]);
    const site = await this.people.site(m, conversation.siteId);
    const siteName = site?.name ?? 'Parley';
    const earlier = await this.notifications.earlierEmails(m, conversation.id);
    const messageId = this.links.messageId(`notification-${conversation.id}-${last.seq}`);
    const rendered = replyNotification({
      siteName,
      subject: conversation.subject ?? `Your conversation with ${siteName}`,
      replies: replies.map((r) => ({ agentName: names.get(r.authorId) ?? siteName, body: r.body })),
      conversationUrl: this.links.conversation(conversation.id, site?.conversationUrl ?? null),
      unsubscribeUrl: this.links.unsubscribe(customer.id),
      followUp: earlier.length > 0,
    });
    const sender = names.get(last.authorId);
    await this.ledger.enqueue(
      {
        messageId,
        kind: 'notification',
        conversationId: conversation.id,
        recipientId: customer.id,
        content: this.content(
          conversation,
          customer,
          sender ? `${sender} (${siteName})` : siteName,
          rendered,
          earlier,
        ),
      },
      m,
    );
    await this.notifications.markNotified(
      m,
      conversation.id,
      replies.map((r) => r.seq),
      messageId,
    );
  }

  private async composeRating(
    m: EntityManager,
    conversation: MailConversation,
    customer: Customer,
    reference: string,
  ): Promise<void> {
    const site = await this.people.site(m, conversation.siteId);
    const siteName = site?.name ?? 'Parley';
    const assignee = conversation.assigneeId
      ? (await this.people.agentNames(m, [conversation.assigneeId])).get(conversation.assigneeId)
      : undefined;
    const rendered = ratingInvitation({
      siteName,
      subject: conversation.subject ?? `Your conversation with ${siteName}`,
      agentName: assignee ?? null,
      scoreUrls: this.links.ratings(conversation.id),
      unsubscribeUrl: this.links.unsubscribe(customer.id),
    });
    await this.ledger.enqueue(
      {
        messageId: this.links.messageId(`rating-${conversation.id}-${reference}`),
        kind: 'rating',
        conversationId: conversation.id,
        recipientId: customer.id,
        content: this.content(
          conversation,
          customer,
          assignee ? `${assignee} (${siteName})` : siteName,
          rendered,
          [],
        ),
      },
      m,
    );
  }

  /**
   * From the installation's address under the agent's and site's name; replies go to the
   * conversation's signed reply address, so a customer's answer lands in the conversation.
   */
  private content(
    conversation: MailConversation,
    customer: Customer,
    fromName: string,
    rendered: RenderedEmail,
    earlier: string[],
  ): EmailContent {
    const unsubscribe = this.links.unsubscribe(customer.id);
    return {
      from: { name: fromName, address: this.config.PARLEY_MAIL_FROM },
      to: { name: customer.name ?? '', address: customer.email as string },
      replyTo: this.links.replyAddress(conversation.id),
      subject: rendered.subject,
      text: rendered.text,
      html: rendered.html,
      headers: {
        'List-Unsubscribe': `<${unsubscribe}>`,
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        'Auto-Submitted': 'auto-generated',
      },
      inReplyTo: earlier[earlier.length - 1],
      references: earlier.length ? earlier : undefined,
      date: new Date().toISOString(),
    };
  }
}
