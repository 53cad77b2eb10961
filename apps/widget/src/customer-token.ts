const TOKEN_KEY = 'parley.widget.token';

export interface Customer {
  token: string;
  customerId: string;
}

/**
 * The business's page signs its user in: its backend gets a customer token from Parley
 * (`POST /v1/customers` with the user's `externalId`) and embeds `/widget/#token=<token>`. The
 * fragment never reaches a server or a Referer; it is removed from the address at once and kept in
 * sessionStorage, so a reload of the frame stays signed in.
 */
export function takeCustomerToken(): Customer | null {
  const fromFragment = new URLSearchParams(window.location.hash.slice(1)).get('token');
  if (fromFragment) {
    sessionStorage.setItem(TOKEN_KEY, fromFragment);
    window.history.replaceState(null, '', window.location.pathname + window.location.search);
  }
  const token = fromFragment ?? sessionStorage.getItem(TOKEN_KEY);
  const customerId = token && customerIdOf(token);
  return token && customerId ? { token, customerId } : null;
}

function customerIdOf(token: string): string | null {
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const claims = JSON.parse(atob(payload)) as { sub?: unknown; role?: unknown };
    return claims.role === 'customer' && typeof claims.sub === 'string' ? claims.sub : null;
  } catch {
    return null;
  }
}
