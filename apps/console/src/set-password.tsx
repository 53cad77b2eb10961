import { useState } from 'react';
import { acceptInvite } from './session';
import { SubmitRow, useSubmission } from './submission';

const MIN_LENGTH = 12;

/** Where an invite link leads: the agent chooses their password, once. */
export function SetPassword({ invite, onSet }: { invite: string; onSet: () => void }) {
  const [password, setPassword] = useState('');
  const { error, busy, submit } = useSubmission(async () => {
    await acceptInvite(invite, password);
    onSet();
  });

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
        <SubmitRow
          errorId="set-password-error"
          error={error}
          busy={busy}
          label="Set password"
          busyLabel="Saving…"
        />
      </form>
    </main>
  );
}
