import { useState, type FormEvent } from 'react';
import { describeError } from '@parley/web';
import { acceptInvite } from './session';

const MIN_LENGTH = 12;

/** Where an invite link leads: the agent chooses their password, once. */
export function SetPassword({ invite, onSet }: { invite: string; onSet: () => void }) {
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await acceptInvite(invite, password);
      onSet();
    } catch (failure) {
      setError(describeError(failure));
      setBusy(false);
    }
  }

  return (
    <main className="sign-in">
      <form className="card" onSubmit={submit} aria-labelledby="set-password-title">
        <h1 id="set-password-title">Welcome to Parley</h1>
        <p className="muted">Choose your password, at least {MIN_LENGTH} characters.</p>
        <label htmlFor="new-password">New password</label>
        <input
          id="new-password"
          type="password"
          autoComplete="new-password"
          minLength={MIN_LENGTH}
          required
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          aria-describedby={error ? 'set-password-error' : undefined}
        />
        {error && (
          <p id="set-password-error" role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Saving…' : 'Set password'}
        </button>
      </form>
    </main>
  );
}
