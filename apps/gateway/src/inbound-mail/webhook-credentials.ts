import { NotFoundException, UnauthorizedException } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * The HTTP Basic credentials an inbound mail provider's webhook must send
 * (`PARLEY_MAIL_INBOUND_WEBHOOK_SECRET`, `user:password`). None configured: the webhook does not
 * exist on this installation (404), so nobody can post mail through it.
 */
export class WebhookCredentials {
  private readonly expected?: Buffer;

  constructor(secret: string) {
    this.expected = secret ? digest(secret) : undefined;
  }

  /** Throws 404 when the webhook is off, 401 (with a Basic challenge) for missing or wrong credentials. */
  check(authorization: string | undefined): void {
    if (!this.expected)
      throw new NotFoundException('Inbound mail by webhook is not set up on this installation.');
    const match = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(authorization ?? '');
    const given = match ? digest(Buffer.from(match[1], 'base64').toString('utf8')) : undefined;
    if (!given || !timingSafeEqual(given, this.expected))
      throw new UnauthorizedException('The webhook credentials are missing or wrong.');
  }
}
