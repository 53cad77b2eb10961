import { useEffect, useState } from 'react';
import type { components, ParleyClient } from '@parley/client';
import { clockTime, describeError, ok } from '@parley/web';

type CustomerCard = components['schemas']['CustomerCardItem'];

/** The customer's local time moves on while the card is open. */
const CLOCK_MS = 30_000;

/** What time it is where the customer lives, "14:05 (Europe/Berlin)", or null for an unknown zone. */
export function localTime(timeZone: string, now: Date): string | null {
  try {
    return new Intl.DateTimeFormat(undefined, {
      timeZone,
      hour: '2-digit',
      minute: '2-digit',
      weekday: 'short',
    }).format(now);
  } catch {
    return null;
  }
}

/**
 * The customer's card: who they are, what the business set about them (`PATCH /v1/customers/{id}`),
 * their local time, and their other conversations, newest first, so nobody asks again what they
 * asked before. On a phone it is a view of its own, with a way back to the conversation.
 */
export function CustomerPanel({
  api,
  customerId,
  currentId,
  onOpen,
  onBack,
}: {
  api: ParleyClient;
  customerId: string;
  currentId: string;
  onOpen: (id: string) => void;
  /** Back to the conversation (phone width, where the card is a view of its own). */
  onBack: () => void;
}) {
  const [card, setCard] = useState<CustomerCard | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [now, setNow] = useState(() => new Date());

  useEffect(() => {
    let current = true;
    api
      .GET('/v1/customers/{id}', { params: { path: { id: customerId } } })
      .then(ok)
      .then((loaded) => current && setCard(loaded))
      .catch((failure: unknown) => current && setError(describeError(failure)));
    return () => {
      current = false;
    };
  }, [api, customerId, currentId]);

  useEffect(() => {
    const clock = setInterval(() => setNow(new Date()), CLOCK_MS);
    return () => clearInterval(clock);
  }, []);

  const earlier = card?.conversations.filter((c) => c.id !== currentId) ?? [];
  const attributes = Object.entries(card?.attributes ?? {});
  const local = card?.timeZone ? localTime(card.timeZone, now) : null;

  return (
    <aside className="customer-panel" aria-labelledby="customer-title">
      <button type="button" className="link back" onClick={onBack}>
        ← Conversation
      </button>
      <h2 id="customer-title">{card?.erasedAt ? 'Erased customer' : card?.name || 'Customer'}</h2>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {card === null ? (
        !error && <p className="muted">Loading…</p>
      ) : card.erasedAt ? (
        <p className="erased">
          Erased on <time dateTime={card.erasedAt}>{new Date(card.erasedAt).toLocaleDateString()}</time> at
          their request or the business's: Parley keeps nothing about them but their conversations' shells.
        </p>
      ) : (
        <>
          <dl className="card-facts">
            <dt>Email</dt>
            <dd>
              {card.email ? (
                <a href={`mailto:${card.email}`}>{card.email}</a>
              ) : (
                <span className="muted">—</span>
              )}
            </dd>
            <dt>External id</dt>
            <dd className="id">{card.externalId}</dd>
            <dt>Local time</dt>
            <dd className="local-time">
              {local ? (
                <>
                  {local} <span className="muted">({card.timeZone})</span>
                </>
              ) : (
                <span className="muted">Time zone unknown</span>
              )}
            </dd>
          </dl>
          <h3>Attributes</h3>
          {attributes.length === 0 ? (
            <p className="muted">None set.</p>
          ) : (
            <dl className="card-facts attributes">
              {attributes.map(([name, value]) => (
                <div key={name} className="attribute">
                  <dt>{name}</dt>
                  <dd>{String(value)}</dd>
                </div>
              ))}
            </dl>
          )}
          <h3>Earlier conversations</h3>
          {earlier.length === 0 ? (
            <p className="muted">None before this one.</p>
          ) : (
            <ul className="earlier">
              {earlier.map((c) => (
                <li key={c.id}>
                  <button type="button" className="link" onClick={() => onOpen(c.id)}>
                    {c.subject || 'No subject'}
                  </button>
                  <span className="muted">
                    {c.status} · <time dateTime={c.lastMessageAt}>{clockTime(c.lastMessageAt)}</time>
                  </span>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </aside>
  );
}
