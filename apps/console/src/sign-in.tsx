import { useState } from 'react';
import { signIn, type Session } from './session';
import { SubmitRow, useSubmission } from './submission';

/** Agents sign in with their email and the password they set through their invite. */
export function SignIn({ onSignedIn, notice }: { onSignedIn: (session: Session) => void; notice?: string }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { error, busy, submit } = useSubmission(async () => onSignedIn(await signIn(email.trim(), password)));

  return (
    <main className="sign-in">
      <form className="card" onSubmit={submit} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Parley console</h1>
        <p className="muted">{notice ?? 'Sign in to answer your customers.'}</p>
        <label htmlFor="agent-email">Email</label>
        <input
          id="agent-email"
          type="email"
          autoComplete="username"
          required
          value={email}
          onChange={(event) => setEmail(event.target.value)}
        />
        <label htmlFor="agent-password">Password</label>
        <input
          id="agent-password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          aria-describedby={error ? 'sign-in-error' : undefined}
        />
        <SubmitRow
          errorId="sign-in-error"
          error={error}
          busy={busy}
          label="Sign in"
          busyLabel="Signing in…"
        />
      </form>
    </main>
  );
}
