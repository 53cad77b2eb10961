import { useState } from 'react';
import type { ParleyClient } from '@parley/client';
import { describeError, ok } from '@parley/web';
import type { Conversation, Label } from './types';

/** Black or white, whichever reads better on the label's colour. */
function inkOn(colour: string): string {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(colour.slice(i, i + 2), 16));
  return 0.299 * r + 0.587 * g + 0.114 * b > 150 ? '#000000' : '#ffffff';
}

export function LabelChip({ label, onRemove }: { label: Label; onRemove?: () => void }) {
  return (
    <span className="label-chip" style={{ background: label.colour, color: inkOn(label.colour) }}>
      <span>{label.name}</span>
      {onRemove && (
        <button
          type="button"
          className="label-remove"
          aria-label={`Remove label ${label.name}`}
          onClick={onRemove}
        >
          ×
        </button>
      )}
    </span>
  );
}

/** The conversation's labels, by their ids; a label deleted meanwhile is not shown. */
export function LabelChips({ ids, catalog }: { ids: string[]; catalog: Label[] }) {
  const labels = ids.flatMap((id) => catalog.filter((l) => l.id === id));
  if (!labels.length) return null;
  return (
    <span className="label-chips" aria-label="Labels">
      {labels.map((label) => (
        <LabelChip key={label.id} label={label} />
      ))}
    </span>
  );
}

/**
 * The labels in the conversation header: remove one with its ×, add one from the list. The whole
 * set is sent, and the header shows it once applied.
 */
export function LabelEditor({
  api,
  conversation,
  catalog,
  onChanged,
}: {
  api: ParleyClient;
  conversation: Conversation;
  catalog: Label[];
  onChanged: () => void;
}) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const current = conversation.labels.flatMap((id) => catalog.filter((l) => l.id === id));
  const addable = catalog.filter((l) => !conversation.labels.includes(l.id));

  async function save(labels: string[]) {
    setBusy(true);
    try {
      ok(
        await api.PUT('/v1/conversations/{id}/labels', {
          params: { path: { id: conversation.id } },
          headers: { prefer: 'wait=5' },
          body: { labels },
        }),
      );
      setError(null);
      onChanged();
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="label-editor">
      {current.map((label) => (
        <LabelChip
          key={label.id}
          label={label}
          onRemove={busy ? undefined : () => void save(conversation.labels.filter((id) => id !== label.id))}
        />
      ))}
      {addable.length > 0 && (
        <select
          aria-label="Add label"
          value=""
          disabled={busy}
          onChange={(event) => event.target.value && void save([...conversation.labels, event.target.value])}
        >
          <option value="">+ Label</option>
          {addable.map((label) => (
            <option key={label.id} value={label.id}>
              {label.name}
            </option>
          ))}
        </select>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </div>
  );
}
