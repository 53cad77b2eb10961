import { useEffect, useId, useState, type KeyboardEvent } from 'react';
import type { ParleyClient } from '@parley/client';
import { ok } from '@parley/web';
import { shortcutTyped } from './reply-placeholders';
import type { SavedReply } from './types';

/**
 * The saved replies whose shortcut starts with what follows `/`, as a listbox under the composer:
 * arrows move, Enter or a click chooses, Escape closes.
 */
export function useSavedReplyPicker(api: ParleyClient, draft: string, choose: (reply: SavedReply) => void) {
  const typed = shortcutTyped(draft);
  const [replies, setReplies] = useState<SavedReply[]>([]);
  const [active, setActive] = useState(0);
  const [dismissed, setDismissed] = useState<string | null>(null);
  const listId = useId();

  useEffect(() => {
    if (typed === null) return;
    let current = true;
    api
      .GET('/v1/saved-replies', { params: { query: { ...(typed && { shortcut: typed }), limit: 20 } } })
      .then(ok)
      .then((page) => {
        if (!current) return;
        setReplies(page.items);
        setActive(0);
      })
      .catch(() => current && setReplies([]));
    return () => {
      current = false;
    };
  }, [api, typed]);

  const open = typed !== null && typed !== dismissed && replies.length > 0;

  /** True when the key was the picker's. */
  function onKeyDown(event: KeyboardEvent): boolean {
    if (!open) return false;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      const step = event.key === 'ArrowDown' ? 1 : -1;
      setActive((i) => (i + step + replies.length) % replies.length);
    } else if (event.key === 'Enter' || event.key === 'Tab') {
      choose(replies[active]);
    } else if (event.key === 'Escape') {
      setDismissed(typed);
    } else {
      return false;
    }
    event.preventDefault();
    return true;
  }

  const list = open ? (
    <ul id={listId} role="listbox" aria-label="Saved replies" className="saved-replies">
      {replies.map((reply, i) => (
        <li
          key={reply.id}
          role="option"
          aria-selected={i === active}
          onMouseDown={(event) => {
            event.preventDefault();
            choose(reply);
          }}
        >
          <span className="shortcut">/{reply.shortcut}</span>
          <span className="muted">{reply.body}</span>
        </li>
      ))}
    </ul>
  ) : null;

  return { open, listId, list, onKeyDown };
}
