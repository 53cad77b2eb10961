import { useCallback, useState } from 'react';
import { clearSession, restoreSession, saveSession, type Session } from './session';
import { SignIn } from './sign-in';
import { Workspace } from './workspace/workspace';

export function App() {
  const [session, setSession] = useState<Session | null>(restoreSession);
  const signOut = useCallback(() => {
    clearSession();
    setSession(null);
  }, []);

  if (!session) {
    return (
      <SignIn
        onSignedIn={(signedIn) => {
          saveSession(signedIn);
          setSession(signedIn);
        }}
      />
    );
  }
  return <Workspace session={session} onSignOut={signOut} />;
}
