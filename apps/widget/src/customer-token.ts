import { createParleyClient } from '@parley/client';

const TOKEN_KEY = 'parley.widget.token';
const anonymousKey = (siteId: string) => `parley.widget.anonymous.${siteId}`;

/** Why the widget cannot sign its visitor in, as the visitor (and the site's developer) reads it. */
export interface SignInProblem {
  title: string;
  detail: string;
}

export type SignIn = { customer: Customer } | { problem: SignInProblem };

const NO_TOKEN: SignInProblem = {
  title: 'This chat was opened without signing you in',
  detail:
    "The page that shows it gave no sign-in: its address has no #site=…, #site=…&identity=… or #token=…. Open the chat from the business's own website, or reload that page.",
};
const BAD_TOKEN: SignInProblem = {
  title: 'The sign-in on this page is not valid',
  detail:
    "The token in this chat's address is not a customer token, or it has expired. Reload the business's page for a new one.",
};

export interface Customer {
  token: string;
  customerId: string;
  /** The site the customer signed in through (their token's `site` claim), for its availability. */
  siteId: string | null;
}

/**
 * Signs the visitor in from what the business's page put in the fragment, which never reaches a
 * server or a Referer and is removed from the address at once:
 *
 * - `#site=<site id>&identity=<identity token>`: the business's backend signed its user in with
 *   the site's secret; the widget exchanges that token for the customer's Parley token.
 * - `#site=<site id>`: an anonymous visitor, where the site allows them. Their customer token is
 *   kept in localStorage, so they find their conversation again on their next visit.
 * - `#token=<customer token>`: a customer token the business obtained otherwise.
 *
 * The token in use is kept in sessionStorage, so a reload of the frame stays signed in.
 */
export async function signInCustomer(): Promise<SignIn> {
  const fragment = new URLSearchParams(window.location.hash.slice(1));
  if (window.location.hash)
    window.history.replaceState(null, '', window.location.pathname + window.location.search);
  const site = fragment.get('site');
  const identity = fragment.get('identity');
  let token = fragment.get('token');
  if (!token && site) {
    const exchanged = identity
      ? await exchange(site, identity)
      : (kept(localStorage.getItem(anonymousKey(site))) ?? (await anonymous(site)));
    if ('problem' in exchanged) return exchanged;
    token = exchanged.token;
  }
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) return { problem: NO_TOKEN };
  const customerId = unexpired(token) && customerIdOf(token);
  if (!customerId) return { problem: BAD_TOKEN };
  const { site: siteClaim } = claimsOf(token);
  return { customer: { token, customerId, siteId: typeof siteClaim === 'string' ? siteClaim : null } };
}

/** The customer token for the visitor `identity` names (anonymous without one), or why not. */
async function exchange(
  siteId: string,
  identity?: string,
): Promise<{ token: string } | { problem: SignInProblem }> {
  try {
    const { data, error } = await createParleyClient(window.location.origin, identity).POST(
      '/v1/sites/{id}/customers/token',
      { params: { path: { id: siteId } } },
    );
    if (data) return { token: data.token };
    return {
      problem: {
        title: 'This page did not sign you in',
        detail: error?.detail ?? 'The sign-in was refused.',
      },
    };
  } catch {
    return {
      problem: {
        title: 'The chat cannot be reached',
        detail: 'Check your connection and reload the page.',
      },
    };
  }
}

async function anonymous(siteId: string): Promise<{ token: string } | { problem: SignInProblem }> {
  const exchanged = await exchange(siteId);
  if ('token' in exchanged) localStorage.setItem(anonymousKey(siteId), exchanged.token);
  return exchanged;
}

function kept(token: string | null): { token: string } | null {
  return token && unexpired(token) ? { token } : null;
}

function claimsOf(token: string): { sub?: unknown; role?: unknown; exp?: unknown; site?: unknown } {
  try {
    return JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))) as object;
  } catch {
    return {};
  }
}

function customerIdOf(token: string): string | null {
  const claims = claimsOf(token);
  return claims.role === 'customer' && typeof claims.sub === 'string' ? claims.sub : null;
}

/** Whether a token has not expired: an anonymous visitor back after that is a new one. */
function unexpired(token: string): boolean {
  const { exp } = claimsOf(token);
  return typeof exp === 'number' && exp * 1000 > Date.now();
}
