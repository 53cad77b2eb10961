import { createParleyClient } from '@parley/client';

const TOKEN_KEY = 'parley.widget.token';
const anonymousKey = (siteId: string) => `parley.widget.anonymous.${siteId}`;

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
export async function signInCustomer(): Promise<Customer | null> {
  const fragment = new URLSearchParams(window.location.hash.slice(1));
  if (window.location.hash)
    window.history.replaceState(null, '', window.location.pathname + window.location.search);
  const site = fragment.get('site');
  const identity = fragment.get('identity');
  let token = fragment.get('token');
  if (!token && site && identity) token = await exchange(site, identity);
  else if (!token && site)
    token = unexpired(localStorage.getItem(anonymousKey(site))) ?? (await anonymous(site));
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else if (!site) token = sessionStorage.getItem(TOKEN_KEY);
  const customerId = token && customerIdOf(token);
  if (!token || !customerId) return null;
  const { site: siteClaim } = claimsOf(token);
  return { token, customerId, siteId: typeof siteClaim === 'string' ? siteClaim : null };
}

/** The customer token for the visitor `identity` names (anonymous without one); null if refused. */
async function exchange(siteId: string, identity?: string): Promise<string | null> {
  const { data } = await createParleyClient(window.location.origin, identity).POST(
    '/v1/sites/{id}/customers/token',
    { params: { path: { id: siteId } } },
  );
  return data?.token ?? null;
}

async function anonymous(siteId: string): Promise<string | null> {
  const token = await exchange(siteId);
  if (token) localStorage.setItem(anonymousKey(siteId), token);
  return token;
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

/** The kept token, unless it has expired: an anonymous visitor back after that is a new one. */
function unexpired(token: string | null): string | null {
  const exp = token ? claimsOf(token).exp : undefined;
  return typeof exp === 'number' && exp * 1000 > Date.now() ? token : null;
}
