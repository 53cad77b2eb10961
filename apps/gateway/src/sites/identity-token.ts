import { UnauthorizedException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { SiteKey } from './site-directory';

/** What a site's identity token must say besides its subject: who it is for and who made it. */
export const IDENTITY_TOKEN_AUDIENCE = 'parley';
/** The furthest ahead an identity token may expire: it signs one visitor in, now. */
export const IDENTITY_TOKEN_MAX_LIFETIME_SECONDS = 3_600;
const CLOCK_TOLERANCE_SECONDS = 30;

/** The visitor a site's backend vouches for, as its identity token names them. */
export interface VerifiedVisitor {
  sub: unknown;
  name?: unknown;
  email?: unknown;
  /** The visitor's IANA time zone. */
  tz?: unknown;
}

const refused = (why: string) => new UnauthorizedException(`The identity token was refused: ${why}.`);

/**
 * Verifies the token a site's backend signed for its visitor, the way Intercom and Chatwoot verify
 * users: HS256 with the site's identity-verification secret, `iss` the site's id, `aud` "parley",
 * and an `exp` at most an hour ahead. Every refusal is a 401 saying why, never quoting the secret.
 */
export function verifyIdentityToken(jwt: JwtService, token: string, site: SiteKey): VerifiedVisitor {
  let claims: VerifiedVisitor & { exp?: unknown };
  try {
    claims = jwt.verify(token, {
      secret: site.key,
      algorithms: ['HS256'],
      audience: IDENTITY_TOKEN_AUDIENCE,
      issuer: site.siteId,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    });
  } catch (error) {
    throw refused((error as Error).message);
  }
  if (typeof claims.exp !== 'number') throw refused('it has no exp claim');
  const latest = Date.now() / 1000 + IDENTITY_TOKEN_MAX_LIFETIME_SECONDS + CLOCK_TOLERANCE_SECONDS;
  if (claims.exp > latest)
    throw refused(`its exp is more than ${IDENTITY_TOKEN_MAX_LIFETIME_SECONDS} seconds ahead`);
  return claims;
}
