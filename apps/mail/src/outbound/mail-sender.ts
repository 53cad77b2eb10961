import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { SERVICE_CONFIG } from '@parley/runtime';
import { MailEnv } from '../mail.env';
import { MAIL_CHANNEL, MailChannel, smtpReplyCode } from './mail-channel';
import { mailSends } from './mail-metrics';
import { rawMessage } from './outbound-email';
import { ClaimedEmail, SentEmailRepository } from './sent-email.repository';

/**
 * Sends the ledger's queued emails one at a time, so that a crash leaves at most one email in
 * doubt. An email whose message was handed over and whose outcome is unknown is never sent again
 * (at most once, docs/adr/0011-mail-at-most-once.md); a failure before that is retried.
 */
@Injectable()
export class MailSender {
  private readonly log = new Logger('mail');

  constructor(
    private readonly ledger: SentEmailRepository,
    @Inject(MAIL_CHANNEL) private readonly channel: MailChannel,
    @Inject(SERVICE_CONFIG) private readonly config: MailEnv,
  ) {}

  /** Sends what is due until nothing is, or `stopped()`. */
  async sendDue(stopped: () => boolean): Promise<void> {
    for (const messageId of await this.ledger.settleAbandoned()) {
      mailSends.inc({ outcome: 'in_doubt' });
      this.log.error(`email ${messageId} is in doubt: its process stopped while handing it over; not resent`);
    }
    while (!stopped()) {
      const email = await this.ledger.claimNext(randomUUID());
      if (!email) return;
      await this.send(email);
    }
  }

  private async send(email: ClaimedEmail): Promise<void> {
    let handedOver = false;
    try {
      const raw = await rawMessage(email.messageId, email.content);
      const response = await this.channel.deliver(
        { from: this.config.PARLEY_MAIL_FROM, to: email.toAddress },
        email.messageId,
        raw,
        async () => {
          await this.ledger.markSending(email);
          handedOver = true;
        },
      );
      await this.ledger.markSent(email, response);
      mailSends.inc({ outcome: 'sent' });
    } catch (error) {
      await this.failed(email, error as Error, handedOver);
    }
  }

  private async failed(email: ClaimedEmail, error: Error, handedOver: boolean): Promise<void> {
    const code = smtpReplyCode(error);
    const reason = code ? `${code} ${error.message}` : error.message;
    // The server's answer says it did not take the message; a broken line after the hand-over does not.
    if (handedOver && code === undefined) {
      await this.ledger.markInDoubt(email, reason);
      mailSends.inc({ outcome: 'in_doubt' });
      this.log.error(`email ${email.messageId} is in doubt (${reason}); not resent`);
      return;
    }
    const delay = this.config.mailRetrySchedule[email.attempts - 1];
    if ((code !== undefined && code >= 500) || delay === undefined) {
      await this.ledger.markFailed(email, reason);
      mailSends.inc({ outcome: 'failed' });
      this.log.warn(`email ${email.messageId} failed: ${reason}`);
      return;
    }
    await this.ledger.retryLater(email, delay, reason);
    mailSends.inc({ outcome: 'retried' });
    this.log.warn(`email ${email.messageId} not sent (${reason}); retried in ${delay} s`);
  }
}
