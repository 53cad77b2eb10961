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

const REPORTS_PATH = `${BASE}/reports`;
const AUDIT_PATH = `${BASE}/audit`;

/** Moves to a console page and tells every route hook, as the browser's back button would. */
function navigate(path: string): void {
  window.history.pushState(null, '', path);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

/** Whether the console page at `path` is open, and the way there and back. */
function usePage(path: string): { open: boolean; show: () => void; leave: () => void } {
  const read = useCallback(() => window.location.pathname.startsWith(path), [path]);
  const [open, setOpen] = useState(read);

  useEffect(() => {
    const moved = () => setOpen(read());
    window.addEventListener('popstate', moved);
    return () => window.removeEventListener('popstate', moved);
  }, [read]);

  const show = useCallback(() => navigate(path), [path]);
  const leave = useCallback(() => navigate(`${BASE}/`), []);
  return { open, show, leave };
}

/** The reports page (`/console/reports`). */
export const useReportsPage = () => usePage(REPORTS_PATH);

/** The audit trail's page (`/console/audit`). */
export const useAuditPage = () => usePage(AUDIT_PATH);
