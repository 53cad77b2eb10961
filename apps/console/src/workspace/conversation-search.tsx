import { useState, type FormEvent } from 'react';
import type { components, ParleyClient } from '@parley/client';
import { describeError, ok } from '@parley/web';

type Hit = components['schemas']['SearchHitDoc'];

const ENTITIES: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'",
};
const unescape = (text: string) => text.replace(/&(amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e]);

/** The search's snippet (escaped HTML with its hits in <mark>) as text, the hits marked, no HTML parsed. */
function Snippet({ html }: { html: string }) {
  const parts = html.split(/<\/?mark>/);
  return (
    <span className="row-preview">
      {parts.map((part, i) => (i % 2 ? <mark key={i}>{unescape(part)}</mark> : unescape(part)))}
    </span>
  );
}

/** Full-text search over messages and notes (`GET /v1/search`); a hit opens its conversation. */
export function ConversationSearch({ api, onOpen }: { api: ParleyClient; onOpen: (id: string) => void }) {
  const [q, setQ] = useState('');
  const [hits, setHits] = useState<Hit[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function search(event: FormEvent) {
    event.preventDefault();
    if (!q.trim()) {
      setHits(null);
      return;
    }
    try {
      setHits(ok(await api.GET('/v1/search', { params: { query: { q: q.trim(), limit: 20 } } })).items);
      setError(null);
    } catch (failure) {
      setError(describeError(failure));
    }
  }

  return (
    <div className="conversation-search">
      <form role="search" onSubmit={search}>
        <input
          type="search"
          aria-label="Search messages"
          placeholder="Search messages"
          value={q}
          onChange={(event) => {
            setQ(event.target.value);
            if (!event.target.value) setHits(null);
          }}
        />
      </form>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {hits && (
        <ul className="conversation-list" aria-label="Search results">
          {hits.length === 0 && <li className="muted">Nothing found.</li>}
          {hits.map((hit) => (
            <li key={hit.messageId}>
              <button type="button" className="conversation-row" onClick={() => onOpen(hit.conversationId)}>
                <Snippet html={hit.snippet} />
                <span className="row-meta muted">{hit.type === 'note' ? 'Private note' : 'Message'}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
