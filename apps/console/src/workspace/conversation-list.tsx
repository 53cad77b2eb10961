import { elapsed } from '@parley/web';
import type { Conversation } from './types';

interface Props {
  label: string;
  conversations: Conversation[];
  openId: string | null;
  now: number;
  /** Queue rows say how long the customer has waited; "mine" rows when the last message came. */
  waitingSince: (c: Conversation) => string;
  onOpen: (id: string) => void;
  empty: string;
}

export function ConversationList({ label, conversations, openId, now, waitingSince, onOpen, empty }: Props) {
  if (!conversations.length) return <p className="empty">{empty}</p>;
  return (
    <ul className="conversation-list" aria-label={label}>
      {conversations.map((c) => {
        const title = c.subject || c.lastMessagePreview || 'New conversation';
        const waited = elapsed(waitingSince(c), now);
        return (
          <li key={c.id}>
            <button
              type="button"
              className="conversation-row"
              aria-current={c.id === openId ? 'true' : undefined}
              onClick={() => onOpen(c.id)}
            >
              <span className="row-top">
                <span className="row-title">{title}</span>
                {c.unread > 0 && (
                  <span className="badge unread" aria-label={`${c.unread} unread`}>
                    {c.unread}
                  </span>
                )}
              </span>
              {c.subject && c.lastMessagePreview && (
                <span className="row-preview">{c.lastMessagePreview}</span>
              )}
              <span className="row-meta">
                <span className={`priority priority-${c.priority}`}>{c.priority}</span>
                <span className="muted">{c.status}</span>
                <span className="muted">
                  <span className="visually-hidden">waiting </span>
                  {waited === 'just now' ? waited : `${waited} ago`}
                </span>
              </span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}
