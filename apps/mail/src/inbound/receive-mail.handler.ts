import { Controller, Inject, Logger } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  ConversationView,
  CursorQuery,
  MESSAGE_BODY_MAX,
  PostMessage,
  QuerySubjects,
  ReceiveMail,
} from '@parley/contracts';
import { AnswerQuery, HandleCommand, JetStreamPublisher, QueryRejected } from '@parley/jetstream';
import { SERVICE_CONFIG } from '@parley/runtime';
import { LinkSigner } from '@parley/secrets';
import { MailEnv } from '../mail.env';
import { readReplyAddress } from '../reply-address';
import { InboundMailRepository, MailOutcome } from './inbound-mail.repository';
import { replyText } from './reply-text';

/** Who asks the conversation service whose a conversation is. */
const MAIL_SERVICE = { id: 'mail', role: 'admin' } as const;

/**
 * Turns an email for a reply address into the customer's message in the conversation, once per
 * Message-ID, or keeps it as unmatched with the reason. Never drops one: every email is recorded.
 */
@Controller()
export class ReceiveMailHandler {
  private readonly log = new Logger(ReceiveMailHandler.name);

  constructor(
    private readonly inbound: InboundMailRepository,
    private readonly publisher: JetStreamPublisher,
    private readonly signer: LinkSigner,
    @Inject(SERVICE_CONFIG) private readonly config: MailEnv,
  ) {}

  /**
   * The message is posted before the email is recorded: a crash in between posts it again on
   * redelivery, and the conversation service recognises its id (derived from the Message-ID).
   * Deliveries of one email share a partition, so they are handled one after the other.
   */
  @HandleCommand(ReceiveMail)
  async receive(@Payload() mail: ReceiveMail): Promise<void> {
    if (await this.inbound.isKnown(mail.messageId)) return;
    const { outcome, post } = await this.match(mail);
    if (post) await this.publisher.publish(PostMessage.subject, post, post.messageId);
    if (outcome.status === 'unmatched')
      this.log.warn(`kept email ${mail.messageId} as unmatched: ${outcome.reason}`);
    await this.inbound.record(mail, outcome);
  }

  @AnswerQuery(QuerySubjects.unmatchedMail)
  unmatched(@Payload() query: CursorQuery) {
    return this.inbound.unmatched(query);
  }

  /** The message the email becomes, or why it becomes none. */
  async match(mail: ReceiveMail): Promise<{ outcome: MailOutcome; post?: PostMessage }> {
    const conversationId = this.conversationAddressed(mail);
    if (typeof conversationId !== 'string') return { outcome: conversationId };
    const customerId = await this.customerOf(conversationId);
    if (!customerId)
      return { outcome: { status: 'unmatched', reason: 'unknown-conversation', conversationId } };
    const customerEmail = await this.inbound.customerEmail(customerId);
    if (customerEmail && customerEmail.toLowerCase() !== mail.from.toLowerCase())
      return { outcome: { status: 'unmatched', reason: 'sender-not-customer', conversationId } };
    const body = replyText(mail.text);
    if (!body) return { outcome: { status: 'unmatched', reason: 'empty-reply', conversationId } };
    if (body.length > MESSAGE_BODY_MAX)
      return { outcome: { status: 'unmatched', reason: 'too-long', conversationId } };
    return {
      outcome: { status: 'matched', conversationId },
      post: {
        conversationId,
        messageId: mail.id,
        body,
        via: 'email',
        issuedBy: { id: customerId, role: 'customer' },
        acceptedAt: new Date().toISOString(),
      },
    };
  }

  /**
   * The conversation of the first genuine reply address among the recipients; otherwise why none
   * is: a reply address of the domain that does not verify is forged, any other is not one at all.
   */
  private conversationAddressed(mail: ReceiveMail): string | MailOutcome {
    const domain = this.config.PARLEY_MAIL_REPLY_DOMAIN;
    const readings = mail.to.map((address) => readReplyAddress(this.signer, address, domain));
    const genuine = readings.find((r) => r.ok);
    if (genuine?.ok) return genuine.conversationId;
    const forged = readings.some((r) => !r.ok && r.reason === 'forged or altered');
    return { status: 'unmatched', reason: forged ? 'forged-address' : 'not-a-reply-address' };
  }

  /** The conversation's customer, undefined when it does not exist; throws (to retry) while unreachable. */
  private async customerOf(conversationId: string): Promise<string | undefined> {
    try {
      const conversation = await this.publisher.query<ConversationView>(QuerySubjects.conversation, {
        principal: MAIL_SERVICE,
        conversationId,
      });
      return conversation.customerId;
    } catch (error) {
      if (error instanceof QueryRejected && error.status === 404) return undefined;
      throw error;
    }
  }
}
