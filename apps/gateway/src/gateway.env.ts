import { Type } from 'class-transformer';
import { IsEmpty, IsIn, IsInt, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import { ServiceEnv } from '@parley/runtime';
import { IsTrustedProxyList } from './api/trusted-proxies';

export const DEV_ADMIN_TOKEN = 'parley-dev-admin-token';
export const DEV_JWT_SECRET = 'parley-development-jwt-secret-change-me';

export class GatewayEnv extends ServiceEnv {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV = 'development';

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

  /** Requests per minute for one bearer token (or, without one, one IP address) before 429. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  PARLEY_RATE_LIMIT_PER_MINUTE = 6_000;

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
   * Lifetime of the access tokens a signed-in agent gets; the console renews them with its refresh
   * cookie, and a revocation makes them useless sooner (PARLEY_TOKEN_TTL_SECONDS is for the rest).
   */
  @Type(() => Number)
  @IsInt()
  @Min(60)
  @Max(24 * 3600)
  PARLEY_ACCESS_TOKEN_TTL_SECONDS = 15 * 60;

  /** Lifetime of issued agent and customer tokens. */
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
}
