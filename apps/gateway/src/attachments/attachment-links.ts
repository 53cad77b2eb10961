import { ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { MessageView } from '@parley/contracts';
import { SERVICE_CONFIG } from '@parley/runtime';
import { InvalidLink, LinkSigner } from '@parley/secrets';
import { GatewayEnv } from '../gateway.env';

/** What a download link is signed for (libs/secrets), with `{attachmentId}`. */
export const DOWNLOAD_LINK_PURPOSE = 'download attachment';

/**
 * Short-lived signed download links: the gateway hands one out with every attachment of an answer
 * given to someone who may see the conversation, so an `<img>` shows it without a bearer header.
 */
@Injectable()
export class AttachmentLinks {
  private readonly signer: LinkSigner;
  private readonly ttlMs: number;

  constructor(@Inject(SERVICE_CONFIG) config: GatewayEnv) {
    this.signer = LinkSigner.fromKeyRing(config.PARLEY_SECRET_KEY);
    this.ttlMs = config.PARLEY_ATTACHMENT_URL_TTL_SECONDS * 1000;
  }

  url(attachmentId: string, now = Date.now()): string {
    const token = this.signer.sign(DOWNLOAD_LINK_PURPOSE, { attachmentId }, new Date(now + this.ttlMs));
    return `/v1/attachments/${attachmentId}?token=${token}`;
  }

  /** The messages with a fresh `url` on each of their attachments but those expired (nothing to download). */
  withUrls<M extends Pick<MessageView, 'attachments'>>(messages: M[]): M[] {
    return messages.map((message) =>
      message.attachments?.length
        ? {
            ...message,
            attachments: message.attachments.map((a) => (a.expiredAt ? a : { ...a, url: this.url(a.id) })),
          }
        : message,
    );
  }

  /** Inbox events with a fresh `url` on each attachment their data carries (`message.created`). */
  withEventUrls<E extends { data: Record<string, unknown> }>(events: E[]): E[] {
    return events.map((event) =>
      Array.isArray(event.data.attachments)
        ? { ...event, data: this.withUrls([event.data as Pick<MessageView, 'attachments'>])[0] }
        : event,
    );
  }

  /** Checks that `token` is a live link to `attachmentId`: 401 once expired, 403 when not its. */
  check(attachmentId: string, token: string): void {
    let signed: { attachmentId?: unknown };
    try {
      signed = this.signer.verify<{ attachmentId?: unknown }>(DOWNLOAD_LINK_PURPOSE, token);
    } catch (error) {
      if (!(error instanceof InvalidLink)) throw error;
      if (/expired/.test(error.message))
        throw new UnauthorizedException(
          'This download link has expired: read the message again for a fresh one.',
        );
      throw new ForbiddenException('This download link is not valid: altered, or made for something else.');
    }
    if (signed.attachmentId !== attachmentId)
      throw new ForbiddenException('This download link is for another attachment.');
  }
}
