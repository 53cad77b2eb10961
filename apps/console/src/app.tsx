import { useCallback, useEffect, useState } from 'react';
import { AuditPage } from './audit/audit-page';
import { ReportsPage } from './reports/reports-page';
import { useAuditPage, useReportsPage } from './route';
import { inviteOf, renewSession, signOut, type Session } from './session';
import { SetPassword } from './set-password';
import { SignIn } from './sign-in';
import { Workspace } from './workspace/workspace';

/** Renewed this long before the access token expires, so that no request meets an expired one. */
const RENEW_EARLY_SECONDS = 60;

type State =
  | { kind: 'restoring' }
  | { kind: 'invited'; invite: string }
  | { kind: 'signed-out'; notice?: string }
  | { kind: 'signed-in'; session: Session };

export function App() {
  const reports = useReportsPage();
  const audit = useAuditPage();
  const [state, setState] = useState<State>(() => {
    const invite = inviteOf(window.location.hash);
    return invite ? { kind: 'invited', invite } : { kind: 'restoring' };
  });

  const renew = useCallback(async () => {
    const session = await renewSession().catch(() => null);
    setState(session ? { kind: 'signed-in', session } : { kind: 'signed-out' });
  }, []);

  // A reload signs back in with the refresh cookie, when there is one.
  useEffect(() => {
    if (state.kind === 'restoring') void renew();
  }, [state.kind, renew]);

  const session = state.kind === 'signed-in' ? state.session : undefined;
  useEffect(() => {
    if (!session) return;
    const timer = setTimeout(() => void renew(), Math.max(session.expiresIn - RENEW_EARLY_SECONDS, 1) * 1000);
    return () => clearTimeout(timer);
  }, [session, renew]);

  const leave = useCallback(async () => {
    await signOut().catch(() => undefined);
    setState({ kind: 'signed-out' });
  }, []);

  switch (state.kind) {
    case 'restoring':
      return <main className="sign-in" aria-busy="true" />;
    case 'invited':
      return (
        <SetPassword
          invite={state.invite}
          onSet={() => {
            history.replaceState(null, '', window.location.pathname);
            setState({ kind: 'signed-out', notice: 'Your password is set. Sign in with it.' });
          }}
        />
      );
    case 'signed-out':
      return (
        <SignIn
          notice={state.notice}
          onSignedIn={(signedIn) => setState({ kind: 'signed-in', session: signedIn })}
        />
      );
    case 'signed-in':
      if (audit.open && state.session.role === 'admin')
        return <AuditPage session={state.session} onLeave={audit.leave} onUnauthorized={renew} />;
      if (reports.open && state.session.role === 'admin')
        return <ReportsPage session={state.session} onLeave={reports.leave} onUnauthorized={renew} />;
      // A 401 (the token revoked, or expired while asleep) tries the cookie once more before signing out.
      return <Workspace session={state.session} onSignOut={leave} onUnauthorized={renew} />;
  }
}
