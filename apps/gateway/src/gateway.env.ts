import { Type } from 'class-transformer';
import { IsEmpty, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import { ATTACHMENTS_PER_MESSAGE_CEILING, EXPORT_MAX_AGE_DAYS } from '@parley/contracts';
import { DEV_SECRET_KEY, IsSecretKeyRing, ServiceEnv } from '@parley/runtime';
import { IsTrustedProxyList } from './api/trusted-proxies';

export const DEV_ADMIN_TOKEN = 'parley-dev-admin-token';
export const DEV_JWT_SECRET = 'parley-development-jwt-secret-change-me';
export class GatewayEnv extends ServiceEnv {
  /** Bearer token of the admin role. */
  @IsString()
  @MinLength(16)
  PARLEY_ADMIN_TOKEN = DEV_ADMIN_TOKEN;

  /**
   * Whether PARLEY_ADMIN_TOKEN is accepted. It is the bootstrap that invites the first admin; a
   * production installation switches it off once an admin agent has signed in.
   */
  @IsIn(['true', 'false'], { message: 'PARLEY_ADMIN_TOKEN_ENABLED is true or false' })
  PARLEY_ADMIN_TOKEN_ENABLED: 'true' | 'false' = 'true';

  /** How long an agent's invite (the link through which they set their password) works. */
  @Type(() => Number)
  @IsInt()
  @Min(600)
  @Max(30 * 24 * 3600)
  PARLEY_INVITE_TTL_SECONDS = 7 * 24 * 3600;

  /** HMAC secret that signs agent and customer tokens. */
  @IsString()
  @MinLength(32)
  PARLEY_JWT_SECRET = DEV_JWT_SECRET;

  /**
   * Requests per minute for one principal (or, without a valid token, one IP address) before 429,
   * counted across every gateway process: the reads budget and, separately, the writes budget,
   * unless set apart below.
   */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  PARLEY_RATE_LIMIT_PER_MINUTE = 6_000;

  /** Reads (GET, HEAD) per minute for one principal or address; default PARLEY_RATE_LIMIT_PER_MINUTE. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  PARLEY_RATE_LIMIT_READS_PER_MINUTE?: number;

  /** Writes (every other method) per minute for one principal or address; default PARLEY_RATE_LIMIT_PER_MINUTE. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  PARLEY_RATE_LIMIT_WRITES_PER_MINUTE?: number;

  /** SSE streams and long polls one principal may hold open at once on one gateway process. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  PARLEY_LIVE_INBOX_PER_PRINCIPAL = 10;

  /** SSE streams and long polls one gateway process holds open at once, all principals together. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  PARLEY_LIVE_INBOX_PER_PROCESS = 10_000;

  /**
   * The proxies in front of the gateway (an ingress) whose X-Forwarded-For is believed: IP
   * addresses or CIDR ranges, comma-separated, or `loopback`, `linklocal`, `uniquelocal`. The
   * client's address is the rightmost entry not added by one of them. Empty: none is believed.
   */
  @IsTrustedProxyList()
  PARLEY_TRUSTED_PROXIES = '';

  /**
   * Replaced by PARLEY_TRUSTED_PROXIES: left set, it stops the gateway rather than let an operator
   * believe the count still applies.
   */
  @IsEmpty({
    message:
      'PARLEY_TRUST_PROXY_HOPS is no longer read: list the proxies in PARLEY_TRUSTED_PROXIES instead ' +
      '(with a hop count, a client that reaches the gateway directly can choose its X-Forwarded-For address)',
  })
  PARLEY_TRUST_PROXY_HOPS?: string;

  /**
   * The largest request body the gateway reads, in bytes: a larger one is answered 413. The
   * longest message the API accepts, 10,000 characters, is at most 30 KB of UTF-8.
   */
  @Type(() => Number)
  @IsInt()
  @Min(1024)
  @Max(16 * 1024 * 1024)
  PARLEY_BODY_LIMIT_BYTES = 64 * 1024;

  /**
   * Lifetime of the access tokens a signed-in agent gets; the console renews them with its refresh
   * cookie, and a revocation makes them useless sooner (PARLEY_TOKEN_TTL_SECONDS is for the rest).
   */
  @Type(() => Number)
  @IsInt()
  @Min(60)
  @Max(24 * 3600)
  PARLEY_ACCESS_TOKEN_TTL_SECONDS = 15 * 60;

  /**
   * Lifetime of customer tokens, and of the API token `POST /v1/agents` answers, which never outlives
   * PARLEY_EVENT_RETENTION_DAYS (the revocations a starting gateway can still replay).
   */
  @Type(() => Number)
  @IsInt()
  @Min(60)
  @Max(365 * 24 * 3600)
  PARLEY_TOKEN_TTL_SECONDS = 30 * 24 * 3600;

  /**
   * Sites that may show the customer widget (`/widget`) in a frame, as CSP `frame-ancestors`
   * sources (`https://shop.example.com https://*.example.com`). `*` lets any site embed it: the
   * widget is useless without the customer token that only the business's backend can obtain.
   */
  @IsString()
  @Matches(/^[^;,]+$/, { message: 'PARLEY_WIDGET_FRAME_ANCESTORS is a space-separated list of sources' })
  PARLEY_WIDGET_FRAME_ANCESTORS = '*';

  /**
   * The key ring webhook signing secrets and sites' identity-verification secrets are sealed under
   * (libs/secrets); delivery must hold the same one.
   */
  @IsSecretKeyRing()
  PARLEY_SECRET_KEY = DEV_SECRET_KEY;

  /**
   * The HTTP Basic credentials, `user:password`, Postmark's inbound webhook sends
   * (`POST /v1/mail/inbound/postmark`; set the webhook URL to `https://user:password@host/v1/mail/inbound/postmark`).
   * Empty, the default: the route answers 404, as an installation without Postmark has none.
   */
  @Matches(/^$|^[^:\s]{1,100}:\S{16,200}$/, {
    message:
      'PARLEY_MAIL_INBOUND_WEBHOOK_SECRET is user:password, the password 16 or more characters, or empty',
  })
  PARLEY_MAIL_INBOUND_WEBHOOK_SECRET = '';

  /** The largest attachment the gateway takes, in bytes (`POST /v1/conversations/{id}/attachments`). */
  @Type(() => Number)
  @IsInt()
  @Min(1024)
  @Max(1024 * 1024 * 1024)
  PARLEY_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024;

  /** Attachments one message may carry. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(ATTACHMENTS_PER_MESSAGE_CEILING)
  PARLEY_ATTACHMENTS_PER_MESSAGE_MAX = 5;

  /** How long an attachment's signed download URL works, from the answer that carried it. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(7 * 24 * 3600)
  PARLEY_ATTACHMENT_URL_TTL_SECONDS = 300;

  /**
   * How long a customer export's signed download URL works, from the status answer that carried
   * it; the export itself is kept for EXPORT_MAX_AGE_DAYS, so a longer link would outlive it.
   */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(EXPORT_MAX_AGE_DAYS * 24 * 3600)
  PARLEY_EXPORT_URL_TTL_SECONDS = 900;
}
