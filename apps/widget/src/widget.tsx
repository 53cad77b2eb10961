import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { createParleyClient, type components, type InboxEvent } from '@parley/client';
import {
  AttachButton,
  clockTime,
  describeError,
  MessageAttachments,
  UploadChips,
  useAttachments,
  mergeMessages,
  messageFromEvent,
  ok,
  pendingMessage,
  useDraft,
  useInbox,
  useMarkRead,
  useReceipt,
  useTypingShown,
  useTypingSignal,
  type Message,
  type ReceiptState,
} from '@parley/web';
import { AvailabilityNote } from './availability-note';
import { DownloadMyData } from './download-my-data';
import { ErasureRequest } from './erasure-request';
import { RatingForm, type RatingInput } from './rating';
import { Unavailable } from './unavailable';

type Conversation = components['schemas']['ConversationItem'];

const PAGE = 50;
const LATEST = 2_147_483_647;
const RECEIPT_TEXT: Record<ReceiptState, string> = {
  sending: 'Sending…',
  sent: 'Sent',
  delivered: 'Delivered',
  read: 'Read',
};

/**
 * The customer's side: their latest conversation (or a new one, or the one an email linked to),
 * live. A reply that came while the page was closed is there when it opens again, once. A resolved
 * conversation asks for a rating.
 */
export function Widget({
  token,
  customerId,
  siteId,
  conversationId: linked,
}: {
  token: string;
  customerId: string;
  siteId: string | null;
  /** The conversation to open (an email's link), else the most recently active. */
  conversationId: string | null;
}) {
  const api = useMemo(() => createParleyClient(window.location.origin, token), [token]);
  const [conversation, setConversation] = useState<Conversation | null | undefined>(undefined);
  const [messages, setMessages] = useState<Message[]>([]);
  const [olderBefore, setOlderBefore] = useState<number | null>(null);
  const [agentReadSeq, setAgentReadSeq] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [signedOut, setSignedOut] = useState(false);

  const loadConversation = useCallback(
    async (id: string) =>
      setConversation(ok(await api.GET('/v1/conversations/{id}', { params: { path: { id } } }))),
    [api],
  );

  const loadMessages = useCallback(
    async (id: string, before: number) => {
      const page = ok(
        await api.GET('/v1/conversations/{id}/messages', {
          params: { path: { id }, query: { before, limit: PAGE } },
        }),
      );
      setMessages((current) => mergeMessages(current, page.items));
      return page.nextCursor === null ? null : Number(page.nextCursor);
    },
    [api],
  );

  useEffect(() => {
    (async () => {
      // The linked conversation, if it is the customer's; else the most recently active one is the
      // one to continue. Writing reopens it if resolved.
      const { data: shown } = linked
        ? await api.GET('/v1/conversations/{id}', { params: { path: { id: linked } } })
        : { data: undefined };
      const { items } = shown
        ? { items: [shown] }
        : ok(await api.GET('/v1/conversations', { params: { query: { limit: 1 } } }));
      setConversation(items[0] ?? null);
      if (items[0]) setOlderBefore(await loadMessages(items[0].id, LATEST));
    })().catch((failure) => setError(describeError(failure)));
  }, [api, linked, loadMessages]);

  const conversationId = conversation?.id;
  const noConversation = conversation === null;
  const { onTyping, stoppedTyping, typingIn } = useTypingShown();
  const signalTyping = useTypingSignal(api, conversationId);
  const onEvent = useCallback(
    (event: InboxEvent) => {
      // Their message arrived: they are done typing it.
      if (event.type === 'message.created') stoppedTyping(event.data.conversationId, event.data.authorId);
      // Only once loading found none: while it loads, a replayed inbox brings the customer's
      // earlier conversations' creations too, and the one to continue is the most recent.
      if (event.type === 'conversation.created' && noConversation && event.conversationId) {
        void loadConversation(event.conversationId).catch(() => undefined);
      }
      if (!event.conversationId || event.conversationId !== conversationId) return;
      const message = messageFromEvent(event);
      if (message) setMessages((current) => mergeMessages(current, [message]));
      else if (event.type === 'receipt.read' && event.data.readerRole === 'agent') {
        setAgentReadSeq((seq) => Math.max(seq, Number(event.data.seq)));
      } else if (event.type === 'conversation.status_changed') {
        // Resolved: the rating prompt shows; reopened: it goes.
        void loadConversation(event.conversationId).catch(() => undefined);
      }
    },
    [conversationId, noConversation, loadConversation, stoppedTyping],
  );
  const connection = useInbox({
    api,
    token,
    cursorKey: `parley.widget.cursor.${customerId}`,
    onEvent,
    onTyping,
    onUnauthorized: () => setSignedOut(true),
  });

  // What the customer has on screen counts as read, which the agent sees as "Seen".
  useMarkRead(api, conversationId, messages);

  const lastOwn = [...messages].reverse().find((m) => m.authorRole === 'customer');
  const receipt = useReceipt(api, lastOwn, agentReadSeq);

  // Files attach to a conversation: the first message opens it, then the paperclip works.
  const files = useAttachments(api, conversationId);

  async function send(body: string, idempotencyKey: string) {
    const header = { 'idempotency-key': idempotencyKey };
    const author = { id: customerId, role: 'customer' as const };
    if (conversationId) {
      const attached = files.uploads.flatMap((u) =>
        u.state === 'ready' && u.attachment ? [u.attachment] : [],
      );
      const { id } = ok(
        await api.POST('/v1/conversations/{id}/messages', {
          params: { path: { id: conversationId }, header },
          body: { body, ...(attached.length && { attachments: attached.map((a) => a.id) }) },
        }),
      );
      files.clear();
      setMessages((current) =>
        mergeMessages(current, [pendingMessage(id, conversationId, author, body, 'message', attached)]),
      );
      return;
    }
    const opened = ok(await api.POST('/v1/conversations', { params: { header }, body: { body } }));
    setMessages([pendingMessage(opened.messageId, opened.id, author, body)]);
    // Until the conversation service has it, a stand-in keeps the composer writing into it.
    setConversation((current) => current ?? placeholderConversation(opened.id, customerId));
    void loadConversation(opened.id).catch(() => undefined);
  }

  async function rate(rating: RatingInput) {
    if (!conversationId) return;
    ok(
      await api.POST('/v1/conversations/{id}/rating', {
        params: { path: { id: conversationId } },
        body: rating,
      }),
    );
  }

  async function loadOlder() {
    if (!conversationId || olderBefore === null) return;
    try {
      setOlderBefore(await loadMessages(conversationId, olderBefore));
    } catch (failure) {
      setError(describeError(failure));
    }
  }

  if (signedOut) {
    return (
      <Unavailable
        title="Your chat session has ended"
        detail="Reload the page to continue the conversation."
      />
    );
  }

  return (
    <main className="widget" aria-labelledby="widget-title">
      <header className="widget-header">
        <h1 id="widget-title">Chat with us</h1>
        <p>
          {connection === 'live' ? 'We reply here, even after you close this page.' : 'Reconnecting…'}{' '}
          <span className="visually-hidden" role="status">
            {connection === 'live' ? 'Connected' : 'Reconnecting'}
          </span>
        </p>
        {siteId && <AvailabilityNote siteId={siteId} />}
        <DownloadMyData api={api} />
      </header>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {conversation === undefined ? (
        <p className="muted center">Loading…</p>
      ) : (
        <Thread
          messages={messages}
          hasOlder={olderBefore !== null}
          onLoadOlder={loadOlder}
          receipt={lastOwn && receipt ? { messageId: lastOwn.id, state: receipt } : null}
          resolved={conversation?.status === 'resolved'}
          siteId={conversation?.siteId ?? null}
        />
      )}
      <p className="typing" aria-live="polite">
        {typingIn(conversationId) && 'Support is typing…'}
      </p>
      {conversation?.status === 'resolved' && !conversation.rating && (
        <RatingForm key={conversation.id} onRate={rate} />
      )}
      <Composer
        onSend={send}
        onTyping={signalTyping}
        starting={conversation === null}
        disabled={conversation === undefined}
        files={files}
      />
      <ErasureRequest api={api} />
    </main>
  );
}

function placeholderConversation(id: string, customerId: string): Conversation {
  const now = new Date().toISOString();
  return {
    id,
    customerId,
    subject: null,
    status: 'open',
    priority: 'normal',
    assigneeId: null,
    team: null,
    lastSeq: 0,
    lastMessageAt: now,
    createdAt: now,
    snoozeUntil: null,
    unread: 0,
    lastMessagePreview: null,
    siteId: null,
    rating: null,
    labels: [],
    lastMessageAuthorId: null,
    lastMessageAuthorRole: null,
    customerName: null,
    customerEmail: null,
  };
}

function Thread({
  messages,
  hasOlder,
  onLoadOlder,
  receipt,
  resolved,
  siteId,
}: {
  messages: Message[];
  hasOlder: boolean;
  onLoadOlder: () => void;
  receipt: { messageId: string; state: ReceiptState } | null;
  resolved: boolean;
  /** The conversation's site, the author of its automatic reply. */
  siteId: string | null;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const lastId = messages[messages.length - 1]?.id;
  // New messages arrive at the bottom: keep them in view.
  useLayoutEffect(() => {
    if (scroller.current) scroller.current.scrollTop = scroller.current.scrollHeight;
  }, [lastId]);

  if (!messages.length) {
    return (
      <div className="thread empty">
        <p>
          Hi! Ask us anything. Our team answers here, and you can come back for the reply whenever it suits
          you.
        </p>
      </div>
    );
  }
  return (
    <div className="thread" ref={scroller} tabIndex={0} aria-label="Conversation">
      {hasOlder && (
        <button type="button" className="link load-older" onClick={onLoadOlder}>
          Show earlier messages
        </button>
      )}
      <ol role="log" aria-live="polite" aria-label="Messages" className="messages">
        {messages.map((m) => (
          <li key={m.id} className={`message from-${m.authorRole} ${m.pending ? 'pending' : ''}`}>
            <span className="visually-hidden">{m.authorRole === 'customer' ? 'You' : 'Support'}: </span>
            <p className="message-body">{m.body}</p>
            <MessageAttachments attachments={m.attachments} />
            <span className="message-meta">
              {m.authorRole === 'agent' &&
                (siteId && m.authorId === siteId ? 'Automatic reply · ' : 'Support · ')}
              <time dateTime={m.createdAt}>{clockTime(m.createdAt)}</time>
              {receipt?.messageId === m.id && (
                <span className="receipt"> · {RECEIPT_TEXT[receipt.state]}</span>
              )}
            </span>
          </li>
        ))}
      </ol>
      {resolved && <p className="muted center">This conversation was resolved. Write again to reopen it.</p>}
    </div>
  );
}

function Composer({
  onSend,
  onTyping,
  starting,
  disabled,
  files,
}: {
  onSend: (body: string, idempotencyKey: string) => Promise<void>;
  /** Each keystroke: the agent sees "… is typing". */
  onTyping: () => void;
  starting: boolean;
  disabled: boolean;
  files: ReturnType<typeof useAttachments>;
}) {
  const { body, setBody, sending, error, submit, onKeyDown } = useDraft(onSend);

  return (
    <form className="composer" onSubmit={submit}>
      <label htmlFor="message" className="visually-hidden">
        Message
      </label>
      <textarea
        id="message"
        rows={2}
        maxLength={10_000}
        value={body}
        disabled={disabled}
        onChange={(event) => {
          setBody(event.target.value);
          onTyping();
        }}
        onKeyDown={onKeyDown}
        placeholder={starting ? 'Write your question…' : 'Write a message…'}
      />
      <AttachButton onFiles={files.add} disabled={disabled || starting || files.full} />
      <button type="submit" className="primary" disabled={disabled || sending || files.busy || !body.trim()}>
        Send
      </button>
      <UploadChips uploads={files.uploads} onRemove={files.remove} />
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </form>
  );
}
