/** A signed-in agent. The token stays in sessionStorage: closing the tab signs out. */
export interface Session {
  token: string;
  agentId: string;
}

const TOKEN_KEY = 'parley.console.token';

/** The agent id a token names (`sub`), or null when it is not an agent token at all. */
export function agentIdOf(token: string): string | null {
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const claims = JSON.parse(atob(payload)) as { sub?: unknown; role?: unknown };
    return claims.role === 'agent' && typeof claims.sub === 'string' ? claims.sub : null;
  } catch {
    return null;
  }
}

export function restoreSession(): Session | null {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const agentId = token && agentIdOf(token);
  return token && agentId ? { token, agentId } : null;
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(TOKEN_KEY, session.token);
}

export function clearSession(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}
