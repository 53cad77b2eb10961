import { createParleyClient } from '@parley/client';
import { ok } from '@parley/web';

/**
 * A signed-in agent. The access token lives only in memory; what keeps the console signed in across
 * reloads is the refresh cookie, which no script can read (httpOnly) and no other site can send
 * (SameSite=Strict).
 */
export interface Session {
  token: string;
  agentId: string;
  /** `admin` sees the reports. */
  role: 'admin' | 'supervisor' | 'agent';
  /** Seconds the token is valid for from when it was issued. */
  expiresIn: number;
}

const api = () => createParleyClient(window.location.origin);

export async function signIn(email: string, password: string): Promise<Session> {
  return ok(await api().POST('/v1/sessions', { body: { email, password } }));
}

let renewing: Promise<Session | null> | undefined;

/**
 * A new access token for the refresh cookie, or null when signed out. Calls made at once share one
 * request: the cookie is used once, and sending it twice would look like a stolen token replayed.
 */
export function renewSession(): Promise<Session | null> {
  renewing ??= (async () => {
    try {
      const { data } = await api().POST('/v1/sessions/refresh');
      return data ?? null;
    } finally {
      renewing = undefined;
    }
  })();
  return renewing;
}

/** Signs this device out: the refresh cookie is useless from then on. */
export async function signOut(): Promise<void> {
  await api().DELETE('/v1/sessions/current');
}

export async function acceptInvite(token: string, password: string): Promise<void> {
  ok(await api().POST('/v1/invites/accept', { body: { token, password } }));
}

/** The invite secret of an invite link (`/console/#invite=<secret>`), if this is one. */
export function inviteOf(hash: string): string | null {
  return new URLSearchParams(hash.replace(/^#/, '')).get('invite');
}
