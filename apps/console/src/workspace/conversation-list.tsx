import { elapsed } from '@parley/web';
import { LabelChips } from './labels';
import type { Conversation, Label } from './types';

interface Props {
  label: string;
  conversations: Conversation[];
  openId: string | null;
  now: number;
  /** Queue rows say how long the customer has waited; "mine" rows when the last message came. */
  waitingSince: (c: Conversation) => string;
  onOpen: (id: string) => void;
  empty: string;
  /** Every label defined, to name and colour each row's. */
  labels: Label[];
  /** Who wrote a row's latest message, as the row says it ("You", an agent's name, "Customer"). */
  lastAuthor: (c: Conversation) => string | null;
}

export function ConversationList(props: Props) {
  const { label, conversations, openId, now, waitingSince, onOpen, empty, labels, lastAuthor } = props;
  if (!conversations.length) return <p className="empty">{empty}</p>;
  return (
    <ul className="conversation-list" aria-label={label}>
      {conversations.map((c) => {
        const title = c.erasedAt
          ? 'Erased customer'
          : c.subject || c.lastMessagePreview || 'New conversation';
        const waited = elapsed(waitingSince(c), now);
        const author = lastAuthor(c);
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
              {c.erasedAt ? (
                <span className="row-preview erased">Content erased</span>
              ) : (
                c.subject &&
                c.lastMessagePreview && <span className="row-preview">{c.lastMessagePreview}</span>
              )}
              <LabelChips ids={c.labels} catalog={labels} />
              <span className="row-meta">
                <span className={`priority priority-${c.priority}`}>{c.priority}</span>
                <span className="muted">{c.status}</span>
                {author && <span className="row-author">{`Last: ${author}`}</span>}
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
