import { Type } from 'class-transformer';
import { IsInt, Matches, Max, Min } from 'class-validator';
import { DEV_SECRET_KEY, IsSecretKeyRing, ServiceEnv } from '@parley/runtime';

/** An address alone, `name@domain`: display names are made per email. */
const ADDRESS = /^[^\s@<>"]+@[A-Za-z0-9.-]+$/;
const DOMAIN = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

export class MailEnv extends ServiceEnv {
  /** The shared key ring: it signs reply addresses, rating and unsubscribe links. */
  @IsSecretKeyRing()
  PARLEY_SECRET_KEY = DEV_SECRET_KEY;

  /**
   * Where outbound mail goes, `smtp://user:pass@host:port` (`smtps://` for TLS from the start).
   * Empty: each email is written as an `.eml` file to `PARLEY_MAIL_DROP_DIR` instead.
   */
  @Matches(/^(smtps?:\/\/[^\s]+)?$/, {
    message: 'PARLEY_SMTP_URL must be an smtp:// or smtps:// URL, or empty',
  })
  PARLEY_SMTP_URL = '';

  /** The folder emails are written to when there is no `PARLEY_SMTP_URL`. */
  @Matches(/^[^\0]+$/, { message: 'PARLEY_MAIL_DROP_DIR must name a folder' })
  PARLEY_MAIL_DROP_DIR = 'tmp/mail';

  /** The sender address of every email; each shows the agent and site as its display name. */
  @Matches(ADDRESS, { message: 'PARLEY_MAIL_FROM must be an email address, e.g. notifications@example.com' })
  PARLEY_MAIL_FROM = 'notifications@parley.localhost';

  /** The domain of the per-conversation reply addresses, `reply+<conversation>.<tag>@<domain>`. */
  @Matches(DOMAIN, { message: 'PARLEY_MAIL_REPLY_DOMAIN must be a domain name, e.g. reply.example.com' })
  PARLEY_MAIL_REPLY_DOMAIN = 'reply.parley.localhost';

  /** Where customers reach Parley: links in emails (widget, rating, unsubscribe) start with it. */
  @Matches(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, { message: 'PARLEY_PUBLIC_URL must be an http(s):// URL' })
  PARLEY_PUBLIC_URL = 'http://localhost:3000';

  /** How long an agent's reply may stay unread before the customer is emailed, for a site with no setting. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(7 * 86_400)
  PARLEY_MAIL_DEFAULT_NOTIFY_DELAY_SECONDS = 120;

  /** How often an offline agent gets a digest of their conversations. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(7 * 86_400)
  PARLEY_MAIL_AGENT_DIGEST_INTERVAL_SECONDS = 3600;

  /** A queued conversation waiting longer than this appears in offline agents' digests. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(7 * 86_400)
  PARLEY_MAIL_QUEUE_THRESHOLD_SECONDS = 900;

  /** How often due notifications and queued emails are looked for. */
  @Type(() => Number)
  @IsInt()
  @Min(50)
  @Max(60_000)
  PARLEY_MAIL_POLL_INTERVAL_MS = 1000;

  /** Seconds before each retry of an email the SMTP server could not take; after the last, it fails. */
  @Matches(/^\d{1,6}(,\d{1,6}){0,19}$/, {
    message: 'PARLEY_MAIL_RETRY_SCHEDULE must be 1 to 20 comma-separated whole seconds, e.g. 5,30,120',
  })
  PARLEY_MAIL_RETRY_SCHEDULE = '5,30,120,600,1800,7200';

  get mailRetrySchedule(): number[] {
    return this.PARLEY_MAIL_RETRY_SCHEDULE.split(',').map(Number);
  }

  /**
   * The port of the SMTP listener that takes replies by email (apps/mail/src/inbound). 0, the
   * default, runs none: an installation that receives mail through its provider's webhook needs
   * none, and a second mail process must not compete for the port.
   */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65_535)
  PARLEY_MAIL_SMTP_PORT = 0;

  /** The largest email the SMTP listener takes, in bytes; a larger one is refused (552). */
  @Type(() => Number)
  @IsInt()
  @Min(64 * 1024)
  @Max(100 * 1024 * 1024)
  PARLEY_MAIL_SMTP_MAX_BYTES = 10 * 1024 * 1024;
}
