import { useState, type FormEvent } from 'react';
import { createParleyClient } from '@parley/client';
import { describeError, ok } from '@parley/web';
import { agentIdOf, type Session } from './session';

/** Agents sign in with the token `POST /v1/agents` gave them (an admin hands it out). */
export function SignIn({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const trimmed = token.trim();
    const agentId = agentIdOf(trimmed);
    if (!agentId) {
      setError('This is not an agent token. Ask your administrator for the token of your agent account.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      // Proves the token against the gateway before keeping it (expired or foreign tokens are 401).
      ok(await createParleyClient(window.location.origin, trimmed).GET('/v1/agents'));
      onSignedIn({ token: trimmed, agentId });
    } catch (failure) {
      setError(describeError(failure));
      setBusy(false);
    }
  }

  return (
    <main className="sign-in">
      <form className="card" onSubmit={submit} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Parley console</h1>
        <p className="muted">Sign in to answer your customers.</p>
        <label htmlFor="agent-token">Agent token</label>
        <input
          id="agent-token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          required
          value={token}
          onChange={(event) => setToken(event.target.value)}
          aria-describedby={error ? 'sign-in-error' : undefined}
        />
        {error && (
          <p id="sign-in-error" role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
