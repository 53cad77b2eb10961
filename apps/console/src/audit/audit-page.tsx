import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import { createParleyClient, type components } from '@parley/client';
import { ApiError, describeError, ok } from '@parley/web';
import { AdminPageTopbar, downloadFile } from '../admin-page';
import type { Session } from '../session';
import './audit.css';

type Entry = components['schemas']['AuditEntryItem'];
type Verification = components['schemas']['AuditVerificationItem'];

export interface AuditFilters {
  actor: string;
  subject: string;
  action: string;
}

const NO_FILTERS: AuditFilters = { actor: '', subject: '', action: '' };

/** The query string of the filters, without empty ones. */
export function auditQuery(filters: AuditFilters): Record<string, string> {
  return Object.fromEntries(
    Object.entries(filters)
      .map(([name, value]) => [name, value.trim()])
      .filter(([, value]) => value !== ''),
  );
}

const named = (thing: { kind: string; id: string | null } | null) =>
  thing === null ? '—' : `${thing.kind}${thing.id === null ? ' (unknown)' : `:${thing.id}`}`;

const factsOf = (details: Entry['details']) =>
  Object.entries(details)
    .map(([name, value]) => `${name}: ${Array.isArray(value) ? value.join(', ') : String(value)}`)
    .join('; ');

/**
 * The admin's audit trail (`/console/audit`): who did what, newest first, filtered by actor,
 * subject and action, a page at a time; the chain's check; and the JSON Lines export.
 */
export function AuditPage({
  session,
  onLeave,
  onUnauthorized,
}: {
  session: Session;
  onLeave: () => void;
  onUnauthorized: () => void;
}) {
  const api = useMemo(() => createParleyClient(window.location.origin, session.token), [session.token]);
  const [filters, setFilters] = useState<AuditFilters>(NO_FILTERS);
  const [entries, setEntries] = useState<Entry[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [verification, setVerification] = useState<Verification | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const fail = useCallback(
    (failure: unknown) => {
      if (failure instanceof ApiError && failure.status === 401) onUnauthorized();
      else setError(describeError(failure));
    },
    [onUnauthorized],
  );

  const load = useCallback(
    async (asked: AuditFilters, cursor?: string) => {
      setBusy(true);
      try {
        const page = ok(
          await api.GET('/v1/audit', {
            params: { query: { ...auditQuery(asked), ...(cursor && { cursor }) } },
          }),
        );
        setEntries((shown) => (cursor ? [...shown, ...page.items] : page.items));
        setNextCursor(page.nextCursor);
        setError(null);
      } catch (failure) {
        fail(failure);
      } finally {
        setBusy(false);
      }
    },
    [api, fail],
  );

  useEffect(() => {
    void load(NO_FILTERS);
  }, [load]);

  async function verify() {
    try {
      setVerification(ok(await api.GET('/v1/audit/verify')));
    } catch (failure) {
      fail(failure);
    }
  }

  async function downloadExport() {
    try {
      const url = `/v1/audit/export?${new URLSearchParams(auditQuery(filters))}`;
      if ((await downloadFile(url, session.token, 'audit.jsonl', 'The export')) === 'unauthorized')
        onUnauthorized();
    } catch (failure) {
      fail(failure);
    }
  }

  const set = (field: keyof AuditFilters) => (event: { target: { value: string } }) =>
    setFilters((current) => ({ ...current, [field]: event.target.value }));

  function submit(event: FormEvent) {
    event.preventDefault();
    void load(filters);
  }

  return (
    <div className="audit">
      <AdminPageTopbar onLeave={onLeave} />
      <main className="audit-main">
        <h1>Audit trail</h1>
        <form className="audit-filters" onSubmit={submit} aria-label="Audit filters">
          <label>
            Actor
            <input value={filters.actor} onChange={set('actor')} placeholder="agent:<id>" />
          </label>
          <label>
            Subject
            <input value={filters.subject} onChange={set('subject')} placeholder="conversation:<id>" />
          </label>
          <label>
            Action
            <input value={filters.action} onChange={set('action')} placeholder="conversation.read" />
          </label>
          <button type="submit" disabled={busy}>
            Show
          </button>
          <button type="button" className="link" onClick={() => void downloadExport()}>
            Export JSON Lines
          </button>
          <button type="button" className="link" onClick={() => void verify()}>
            Check the chain
          </button>
        </form>
        {verification && (
          <p role="status" className={verification.valid ? 'audit-valid' : 'error'}>
            {verification.valid
              ? `The chain holds: ${verification.checked} entries checked.`
              : `The chain is broken at entry ${verification.firstInvalid?.seq}: ${verification.firstInvalid?.reason}.`}
            {verification.head && ` Head: ${verification.head.seq}:${verification.head.hash}`}
          </p>
        )}
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <table className="audit-entries" aria-label="Audit entries">
          <thead>
            <tr>
              <th>#</th>
              <th>When</th>
              <th>Actor</th>
              <th>Action</th>
              <th>Subject</th>
              <th>Details</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.id}>
                <td>{entry.seq}</td>
                <td>
                  <time dateTime={entry.at}>{new Date(entry.at).toLocaleString()}</time>
                </td>
                <td>{named(entry.actor)}</td>
                <td>{entry.action}</td>
                <td>{named(entry.subject)}</td>
                <td>{factsOf(entry.details)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {nextCursor && (
          <button type="button" disabled={busy} onClick={() => void load(filters, nextCursor)}>
            Older entries
          </button>
        )}
      </main>
    </div>
  );
}
