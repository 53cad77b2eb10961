import { Inject, Injectable } from '@nestjs/common';
import { SERVICE_CONFIG } from '@parley/runtime';
import { LinkSigner } from '@parley/secrets';
import { MailEnv } from './mail.env';
import { replyAddress } from './reply-address';

const RATING_LINK_DAYS = 30;

/** The links and addresses an email carries, signed where they act for someone. */
@Injectable()
export class MailLinks {
  private readonly base: string;

  constructor(
    private readonly signer: LinkSigner,
    @Inject(SERVICE_CONFIG) private readonly config: MailEnv,
  ) {
    this.base = config.PARLEY_PUBLIC_URL.replace(/\/+$/, '');
  }

  /** The site's own page when it set one, else Parley's widget page; both open the conversation. */
  conversation(conversationId: string, siteUrl: string | null): string {
    return siteUrl
      ? siteUrl.replaceAll('{conversationId}', encodeURIComponent(conversationId))
      : `${this.base}/widget/?conversation=${encodeURIComponent(conversationId)}`;
  }

  /** For List-Unsubscribe and the footer: RFC 8058 one-click (POST), and a page with a button (GET). */
  unsubscribe(customerId: string): string {
    return `${this.base}/v1/mail/unsubscribe?token=${this.signer.sign('unsubscribe', { customerId })}`;
  }

  /** One link per score, 1 to 5, valid for 30 days. */
  ratings(conversationId: string, now = new Date()): string[] {
    const expires = new Date(now.getTime() + RATING_LINK_DAYS * 86_400_000);
    const token = this.signer.sign('rate conversation', { conversationId }, expires);
    return [1, 2, 3, 4, 5].map((score) => `${this.base}/widget/?rate=${token}&score=${score}`);
  }

  replyAddress(conversationId: string): string {
    return replyAddress(this.signer, conversationId, this.config.PARLEY_MAIL_REPLY_DOMAIN);
  }

  /** A Message-ID of this installation: `<local@reply domain>`. */
  messageId(local: string): string {
    return `<${local.replace(/[^A-Za-z0-9._-]/g, '-')}@${this.config.PARLEY_MAIL_REPLY_DOMAIN}>`;
  }
}
