import { useCallback, useEffect, useState } from 'react';

const BASE = '/console';

/** The open conversation lives in the URL (`/console/conversations/<id>`), so links and reloads keep it. */
export function useOpenConversation(): [string | null, (id: string | null) => void] {
  const read = () => /^\/console\/conversations\/([^/]+)/.exec(window.location.pathname)?.[1] ?? null;
  const [id, setId] = useState<string | null>(read);

  useEffect(() => {
    const back = () => setId(read());
    window.addEventListener('popstate', back);
    return () => window.removeEventListener('popstate', back);
  }, []);

  const open = useCallback((next: string | null) => {
    window.history.pushState(
      null,
      '',
      next ? `${BASE}/conversations/${encodeURIComponent(next)}` : `${BASE}/`,
    );
    setId(next);
  }, []);
  return [id && decodeURIComponent(id), open];
}
