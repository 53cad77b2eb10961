import { Type } from 'class-transformer';
import {
  IsEmpty,
  IsIn,
  IsInt,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateBy,
  ValidationArguments,
} from 'class-validator';
import { ServiceEnv } from '@parley/runtime';
import { keyRingProblem, SECRET_KEY_RING_FORMAT } from '@parley/secrets';
import { IsTrustedProxyList } from './api/trusted-proxies';

export const DEV_ADMIN_TOKEN = 'parley-dev-admin-token';
export const DEV_JWT_SECRET = 'parley-development-jwt-secret-change-me';
/** Public, like the other development defaults: 32 bytes of `parley-development-secret-key!!!`. */
export const DEV_SECRET_KEY = `dev:${Buffer.from('parley-development-secret-key!!!').toString('base64')}`;

/**
 * A key ring in `PARLEY_SECRET_KEY`'s form, and not the public development default in production.
 * The message names the problem, never key material.
 */
function IsSecretKeyRing(): PropertyDecorator {
  const problemOf = (value: unknown, args: ValidationArguments) => {
    if (typeof value !== 'string') return `must be ${SECRET_KEY_RING_FORMAT}`;
    const problem = keyRingProblem(value);
    if (problem) return `${problem}; expected ${SECRET_KEY_RING_FORMAT}`;
    if (value === DEV_SECRET_KEY && (args.object as GatewayEnv).NODE_ENV === 'production')
      return 'must be set in production; the development default is public';
    return undefined;
  };
  return ValidateBy({
    name: 'isSecretKeyRing',
    validator: {
      validate: (value, args) => problemOf(value, args as ValidationArguments) === undefined,
      defaultMessage: (args) => `${args?.property} ${problemOf(args?.value, args as ValidationArguments)}`,
    },
  });
}

export class GatewayEnv extends ServiceEnv {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV = 'development';

  /** Bearer token of the admin role. */
  @IsString()
  @MinLength(16)
  PARLEY_ADMIN_TOKEN = DEV_ADMIN_TOKEN;

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

  /** The key ring sites' identity-verification secrets are sealed under (libs/secrets). */
  @IsSecretKeyRing()
  PARLEY_SECRET_KEY = DEV_SECRET_KEY;
}
