import { useEffect, useLayoutEffect, useRef } from 'react';
import { clockTime, MessageAttachments, type Message, type ReceiptState } from '@parley/web';

interface Props {
  messages: Message[];
  authorName: (m: Message) => string;
  hasOlder: boolean;
  loadingOlder: boolean;
  onLoadOlder: () => void;
  /** Under the agents' last reply: whether the customer got it and read it. */
  receipt: { messageId: string; state: ReceiptState } | null;
}

const RECEIPT_TEXT: Record<ReceiptState, string> = {
  sending: 'Sending…',
  sent: 'Sent',
  delivered: 'Delivered',
  read: 'Seen by customer',
};

/** The history, oldest first; scrolling to the top loads earlier messages without losing one's place. */
export function Timeline({ messages, authorName, hasOlder, loadingOlder, onLoadOlder, receipt }: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const sentinel = useRef<HTMLButtonElement>(null);
  const previous = useRef<{ first?: string; last?: string; height: number }>({ height: 0 });

  // Keeps what the agent was reading in place when older messages come in above it, and follows
  // new messages at the bottom only when the agent was already there.
  useLayoutEffect(() => {
    const box = scroller.current;
    if (!box) return;
    const before = previous.current;
    const first = messages[0]?.id;
    const last = messages[messages.length - 1]?.id;
    if (before.first && first !== before.first && last === before.last) {
      box.scrollTop += box.scrollHeight - before.height;
    } else if (last !== before.last) {
      const nearBottom =
        box.scrollHeight - before.height <= 0 || box.scrollTop + box.clientHeight >= before.height - 80;
      if (!before.last || nearBottom || messages[messages.length - 1]?.pending)
        box.scrollTop = box.scrollHeight;
    }
    previous.current = { first, last, height: box.scrollHeight };
  }, [messages]);

  useEffect(() => {
    const target = sentinel.current;
    if (!target || !hasOlder) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting) && !loadingOlder) onLoadOlder();
      },
      { root: scroller.current, rootMargin: '200px 0px 0px 0px' },
    );
    observer.observe(target);
    return () => observer.disconnect();
  }, [hasOlder, loadingOlder, onLoadOlder]);

  return (
    <div className="timeline-scroll" ref={scroller} tabIndex={0} aria-label="Conversation history">
      {hasOlder && (
        <button
          type="button"
          ref={sentinel}
          className="link load-older"
          onClick={onLoadOlder}
          disabled={loadingOlder}
        >
          {loadingOlder ? 'Loading earlier messages…' : 'Load earlier messages'}
        </button>
      )}
      <ol className="timeline" role="log" aria-live="polite" aria-label="Messages">
        {messages.map((m) => (
          <li
            key={m.id}
            className={`message ${m.type === 'note' ? 'note' : `from-${m.authorRole}`} ${m.pending ? 'pending' : ''}`}
          >
            <div className="message-meta">
              <span className="author">
                {m.type === 'note' ? `Private note · ${authorName(m)}` : authorName(m)}
              </span>
              {m.via === 'email' && (
                <span className="via-email" title="The customer replied to a notification email">
                  by email
                </span>
              )}
              <time dateTime={m.createdAt}>{clockTime(m.createdAt)}</time>
            </div>
            <p className="message-body">{m.body}</p>
            <MessageAttachments attachments={m.attachments} />
            {receipt?.messageId === m.id && <p className="receipt">{RECEIPT_TEXT[receipt.state]}</p>}
          </li>
        ))}
      </ol>
    </div>
  );
}
