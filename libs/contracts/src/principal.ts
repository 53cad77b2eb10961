export const ROLES = ['admin', 'agent', 'customer'] as const;
export type Role = (typeof ROLES)[number];

/** Who is asking: carried from the gateway's authentication into every query so owners enforce access. */
export interface Principal {
  id: string;
  role: Role;
  /** A customer signed in through a site's widget: that site (the token's `site` claim). */
  siteId?: string;
}

/**
 * Every token the gateway issues names it as the issuer and the API as its audience; a token that
 * lacks either (or `exp`) is refused, so a token signed for something else with the same secret is not
 * taken for one of Parley's.
 */
export const TOKEN_ISSUER = 'parley';
export const TOKEN_AUDIENCE = 'parley-api';
