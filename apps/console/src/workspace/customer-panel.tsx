import { useEffect, useState } from 'react';
import type { ParleyClient } from '@parley/client';
import { clockTime, ok } from '@parley/web';
import type { Conversation } from './types';

/** The customer's other conversations, newest first: what they asked before, without asking again. */
export function CustomerPanel({
  api,
  customerId,
  currentId,
  onOpen,
}: {
  api: ParleyClient;
  customerId: string;
  currentId: string;
  onOpen: (id: string) => void;
}) {
  const [earlier, setEarlier] = useState<Conversation[] | null>(null);

  useEffect(() => {
    let current = true;
    api
      .GET('/v1/customers/{id}/conversations', { params: { path: { id: customerId }, query: { limit: 20 } } })
      .then(ok)
      .then((page) => current && setEarlier(page.items.filter((c) => c.id !== currentId)))
      .catch(() => current && setEarlier([]));
    return () => {
      current = false;
    };
  }, [api, customerId, currentId]);

  return (
    <aside className="customer-panel" aria-labelledby="customer-title">
      <h2 id="customer-title">Customer</h2>
      <p className="muted id">{customerId}</p>
      <h3>Earlier conversations</h3>
      {earlier === null ? (
        <p className="muted">Loading…</p>
      ) : earlier.length === 0 ? (
        <p className="muted">None before this one.</p>
      ) : (
        <ul className="earlier">
          {earlier.map((c) => (
            <li key={c.id}>
              <button type="button" className="link" onClick={() => onOpen(c.id)}>
                {c.subject || c.lastMessagePreview || 'Conversation'}
              </button>
              <span className="muted">
                {c.status} · <time dateTime={c.createdAt}>{clockTime(c.createdAt)}</time>
              </span>
            </li>
          ))}
        </ul>
      )}
    </aside>
  );
}
