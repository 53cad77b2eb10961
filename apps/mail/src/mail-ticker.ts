import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { SERVICE_CONFIG } from '@parley/runtime';
import { MailEnv } from './mail.env';
import { NotificationMailer } from './notifications/notification-mailer';
import { MailSender } from './outbound/mail-sender';

/**
 * The mail process's clock: every `PARLEY_MAIL_POLL_INTERVAL_MS` it turns what came due into
 * emails, then sends the queued ones. Every process ticks; rows are claimed with SKIP LOCKED, so
 * two processes never take the same notification or email. What came due while every process was
 * down is done at the first tick.
 */
@Injectable()
export class MailTicker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger('mail');
  private timer?: NodeJS.Timeout;
  private ticking?: Promise<void>;
  private stopping = false;

  constructor(
    private readonly notifications: NotificationMailer,
    private readonly sender: MailSender,
    @Inject(SERVICE_CONFIG) private readonly config: MailEnv,
  ) {}

  onApplicationBootstrap(): void {
    const stopped = () => this.stopping;
    const tick = () => {
      this.ticking = this.notifications
        .composeDue(stopped)
        .then(() => this.sender.sendDue(stopped))
        .catch((error: Error) => this.log.warn(`mail tick: ${error.message}`))
        .finally(() => {
          if (!this.stopping) this.timer = setTimeout(tick, this.config.PARLEY_MAIL_POLL_INTERVAL_MS);
        });
    };
    tick();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    await this.ticking;
  }
}
