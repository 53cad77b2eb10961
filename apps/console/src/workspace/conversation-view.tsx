import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import type { InboxEvent, ParleyClient, TypingEvent } from '@parley/client';
import {
  mergeMessages,
  messageFromEvent,
  ok,
  pendingMessage,
  useMarkRead,
  useReceipt,
  useTypingSignal,
  type Message,
} from '@parley/web';
import { Composer, type ComposerMode } from './composer';
import { ConversationActions } from './conversation-actions';
import { CustomerPanel } from './customer-panel';
import { LabelEditor } from './labels';
import { RatingSummary } from './rating-summary';
import { Timeline } from './timeline';
import type { Agent, Conversation, InboxBus, Label } from './types';

const PAGE = 30;
const LATEST = 2_147_483_647;

interface Props {
  api: ParleyClient;
  conversationId: string;
  agentId: string;
  agents: Agent[];
  /** Every label defined, to name and colour the conversation's. */
  labels: Label[];
  bus: InboxBus;
  onChanged: () => void;
  onClaimed: () => void;
  onOpen: (id: string) => void;
  onBack: () => void;
  onFailure: (failure: unknown) => void;
  /** Someone on the other side is typing here, shown below the history. */
  typing: TypingEvent | null;
  /** Shows the customer's card, a view of its own at phone width; `false` goes back. */
  onShowCustomer: (shown: boolean) => void;
}

export function ConversationView(props: Props) {
  const { api, conversationId, agentId, agents, bus, onChanged, onClaimed, onFailure } = props;
  const [conversation, setConversation] = useState<Conversation | null>(null);
  const [messages, setMessages] = useState<Message[]>([]);
  const [olderBefore, setOlderBefore] = useState<number | null>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [customerReadSeq, setCustomerReadSeq] = useState(0);

  const loadConversation = useCallback(async () => {
    try {
      setConversation(
        ok(await api.GET('/v1/conversations/{id}', { params: { path: { id: conversationId } } })),
      );
    } catch (failure) {
      onFailure(failure);
    }
  }, [api, conversationId, onFailure]);

  const loadPage = useCallback(
    async (before: number) => {
      const page = ok(
        await api.GET('/v1/conversations/{id}/messages', {
          params: { path: { id: conversationId }, query: { before, limit: PAGE } },
        }),
      );
      setMessages((current) => mergeMessages(current, page.items));
      return page.nextCursor === null ? null : Number(page.nextCursor);
    },
    [api, conversationId],
  );

  // Only the first page sets where scrolling back continues; later reloads just merge in.
  const firstPageLoaded = useRef(false);
  const loadLatest = useCallback(async () => {
    try {
      const older = await loadPage(LATEST);
      if (!firstPageLoaded.current) {
        firstPageLoaded.current = true;
        setOlderBefore(older);
      }
    } catch (failure) {
      onFailure(failure);
    }
  }, [loadPage, onFailure]);

  const loadOlder = useCallback(async () => {
    if (olderBefore === null || loadingOlder) return;
    setLoadingOlder(true);
    try {
      setOlderBefore(await loadPage(olderBefore));
    } catch (failure) {
      onFailure(failure);
    } finally {
      setLoadingOlder(false);
    }
  }, [olderBefore, loadingOlder, loadPage, onFailure]);

  useEffect(() => {
    void loadConversation();
  }, [loadConversation]);

  // Messages once the conversation is known: an erased one has none to read (its reads answer 410).
  const known = conversation?.id === conversationId;
  const erased = Boolean(conversation?.erasedAt);
  useEffect(() => {
    if (known && !erased) void loadLatest();
  }, [known, erased, loadLatest]);

  useEffect(() => {
    const listener = (e: Event) => {
      const event = (e as CustomEvent<InboxEvent>).detail;
      if (event.conversationId !== conversationId) return;
      const message = messageFromEvent(event);
      if (message) {
        setMessages((current) => mergeMessages(current, [message]));
      } else if (event.type === 'receipt.read' && event.data.readerRole === 'customer') {
        setCustomerReadSeq((seq) => Math.max(seq, Number(event.data.seq)));
      } else {
        // Assigned, transferred, status, priority or labels changed: what the header shows.
        void loadConversation();
        // Events of a conversation reach its agent only from the assignment on: fetch what came before.
        if (event.type === 'conversation.assigned' && event.data.assigneeId === agentId) void loadLatest();
      }
    };
    bus.addEventListener('inbox-event', listener);
    return () => bus.removeEventListener('inbox-event', listener);
  }, [bus, conversationId, agentId, loadConversation, loadLatest]);

  // Reading the conversation while it is on screen marks it read for the customer's receipts and
  // clears the unread badge; waiting for it to be applied keeps the reloaded lists from a stale badge.
  useMarkRead(api, conversationId, messages, { waitSeconds: 5, onMarked: onChanged });

  // Writing a reply (not a private note) tells the customer the agent is typing.
  const signalTyping = useTypingSignal(api, conversationId);
  const onInput = (event: FormEvent<HTMLElement>) => {
    if ((event.target as HTMLElement).closest('.composer-message')) signalTyping();
  };
  const typist = props.typing
    ? props.typing.authorRole === 'customer'
      ? 'The customer'
      : (agents.find((a) => a.id === props.typing?.authorId)?.name ?? 'Another agent')
    : null;

  const lastReply = [...messages].reverse().find((m) => m.authorRole === 'agent' && m.type === 'message');
  const receipt = useReceipt(api, lastReply, customerReadSeq);

  const onSent = (id: string, body: string, mode: ComposerMode, attachments?: Message['attachments']) =>
    setMessages((current) =>
      mergeMessages(current, [
        pendingMessage(id, conversationId, { id: agentId, role: 'agent' }, body, mode, attachments),
      ]),
    );

  // The site's automatic reply out of hours is written in the site's name.
  const authorName = (m: Message) =>
    m.authorRole === 'customer'
      ? 'Customer'
      : conversation?.siteId && m.authorId === conversation.siteId
        ? 'Automatic reply'
        : m.authorId === agentId
          ? 'You'
          : (agents.find((a) => a.id === m.authorId)?.name ?? 'Agent');

  return (
    <>
      <main className="conversation" aria-labelledby="conversation-title" onInput={onInput}>
        <header className="conversation-header">
          <div className="view-nav">
            <button type="button" className="link back" onClick={props.onBack}>
              ← Conversations
            </button>
            <button type="button" className="link show-customer" onClick={() => props.onShowCustomer(true)}>
              Customer →
            </button>
          </div>
          <h1 id="conversation-title">
            {erased ? 'Erased customer' : conversation?.subject || 'No subject'}
          </h1>
          {conversation && (
            <p className="muted">
              {conversation.assigneeId
                ? `Assigned to ${conversation.assigneeId === agentId ? 'you' : (agents.find((a) => a.id === conversation.assigneeId)?.name ?? 'another agent')}`
                : 'Waiting in the queue'}
              {conversation.team ? ` · team ${conversation.team}` : ''}
            </p>
          )}
          {erased && conversation?.erasedAt && (
            <p className="erased" role="status">
              The customer was erased on{' '}
              <time dateTime={conversation.erasedAt}>{new Date(conversation.erasedAt).toLocaleString()}</time>
              : everything said in this conversation was erased with them.
            </p>
          )}
          {conversation && !erased && (
            <ConversationActions
              api={api}
              conversation={conversation}
              agentId={agentId}
              agents={agents}
              onDone={(action) => {
                void loadConversation();
                onChanged();
                if (action === 'claimed') onClaimed();
              }}
            />
          )}
          {conversation && !erased && (
            <LabelEditor
              api={api}
              conversation={conversation}
              catalog={props.labels}
              onChanged={() => {
                void loadConversation();
                onChanged();
              }}
            />
          )}
          {conversation?.rating && <RatingSummary rating={conversation.rating} />}
        </header>
        {!erased && (
          <>
            <Timeline
              messages={messages}
              authorName={authorName}
              hasOlder={olderBefore !== null}
              loadingOlder={loadingOlder}
              onLoadOlder={loadOlder}
              receipt={lastReply && receipt ? { messageId: lastReply.id, state: receipt } : null}
            />
            <p className="typing" aria-live="polite">
              {typist && `${typist} is typing…`}
            </p>
            <Composer
              api={api}
              conversationId={conversationId}
              replyContext={{
                customerName: conversation?.customerName ?? null,
                customerEmail: conversation?.customerEmail ?? null,
                agentName: agents.find((a) => a.id === agentId)?.name ?? null,
                conversationId,
              }}
              onSent={onSent}
            />
          </>
        )}
      </main>
      {conversation && (
        <CustomerPanel
          api={api}
          customerId={conversation.customerId}
          currentId={conversationId}
          onOpen={props.onOpen}
          onBack={() => props.onShowCustomer(false)}
        />
      )}
    </>
  );
}
