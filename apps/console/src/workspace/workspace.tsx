import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { createParleyClient, type InboxEvent } from '@parley/client';
import { ApiError, describeError, ok, useInbox, useTypingShown } from '@parley/web';
import { AuditLink } from '../audit/audit-link';
import { ReportsLink } from '../reports/reports-link';
import { useOpenConversation } from '../route';
import type { Session } from '../session';
import {
  ConversationFilters,
  listQuery,
  NO_FILTERS,
  queueQuery,
  type ListFilters,
} from './conversation-filters';
import { ConversationList } from './conversation-list';
import { ConversationSearch } from './conversation-search';
import { ConversationView } from './conversation-view';
import { PresenceSwitch } from './presence-switch';
import type { Agent, Conversation, Label, Presence } from './types';

type Tab = 'mine' | 'queue' | 'all';
const TABS: Tab[] = ['mine', 'queue', 'all'];

/** The queue misses claims by other agents (they reach no inbox of ours): look again this often. */
const LIST_POLL_MS = 30_000;
const REFRESH_DEBOUNCE_MS = 250;

export function Workspace({
  session,
  onSignOut,
  onUnauthorized,
}: {
  session: Session;
  onSignOut: () => void;
  /** A request answered 401: the access token expired or was revoked. */
  onUnauthorized: () => void;
}) {
  const api = useMemo(() => createParleyClient(window.location.origin, session.token), [session.token]);
  const [openId, openConversation] = useOpenConversation();
  // At phone width the customer's card is a view of its own, reached from the conversation.
  const [customerShown, setCustomerShown] = useState(false);
  const open = useCallback(
    (id: string | null) => {
      setCustomerShown(false);
      openConversation(id);
    },
    [openConversation],
  );
  const { onTyping, stoppedTyping, typingIn } = useTypingShown();
  const [tab, setTab] = useState<Tab>('mine');
  const [queue, setQueue] = useState<Conversation[]>([]);
  const [mine, setMine] = useState<Conversation[]>([]);
  const [all, setAll] = useState<Conversation[]>([]);
  const [labels, setLabels] = useState<Label[]>([]);
  const [filters, setFilters] = useState<ListFilters>(NO_FILTERS);
  const [agents, setAgents] = useState<Agent[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [now, setNow] = useState(Date.now);
  const bus = useMemo(() => new EventTarget(), []);
  const me = agents.find((a) => a.id === session.agentId);

  const handleFailure = useCallback(
    (failure: unknown) => {
      if (failure instanceof ApiError && failure.status === 401) onUnauthorized();
      else setError(describeError(failure));
    },
    [onUnauthorized],
  );
  // Background reloads fail quietly while the network is away: the connection badge says so
  // already, and the lists reload as soon as the stream is live again.
  const quietWhileOffline = useCallback(
    (failure: unknown) => {
      if (!navigator.onLine || failure instanceof TypeError) return;
      handleFailure(failure);
    },
    [handleFailure],
  );

  const refresh = useCallback(async () => {
    try {
      const filtered = listQuery(filters);
      const [queued, assigned, everything, team, defined] = await Promise.all([
        api.GET('/v1/queue', { params: { query: { ...queueQuery(filters), limit: 100 } } }).then(ok),
        api
          .GET('/v1/conversations', { params: { query: { ...filtered, assignee: 'me', limit: 100 } } })
          .then(ok),
        api.GET('/v1/conversations', { params: { query: { ...filtered, limit: 100 } } }).then(ok),
        api.GET('/v1/agents', { params: { query: { limit: 200 } } }).then(ok),
        api.GET('/v1/labels', { params: { query: { limit: 200 } } }).then(ok),
      ]);
      setQueue(queued.items);
      // Mine is the work at hand: resolved ones only when asked for.
      setMine(assigned.items.filter((c) => filters.status === 'resolved' || c.status !== 'resolved'));
      setAll(everything.items);
      setAgents(team.items);
      setLabels(defined.items);
      setNow(Date.now());
      setError(null);
    } catch (failure) {
      quietWhileOffline(failure);
    }
  }, [api, quietWhileOffline, filters]);

  // Many events can arrive at once (a catch-up after a drop): one refresh for all of them.
  const refreshTimer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const scheduleRefresh = useCallback(() => {
    clearTimeout(refreshTimer.current);
    refreshTimer.current = setTimeout(() => void refresh(), REFRESH_DEBOUNCE_MS);
  }, [refresh]);

  useEffect(() => {
    void refresh();
    const poll = setInterval(() => void refresh(), LIST_POLL_MS);
    return () => {
      clearInterval(poll);
      clearTimeout(refreshTimer.current);
    };
  }, [refresh]);

  const onEvent = useCallback(
    (event: InboxEvent) => {
      bus.dispatchEvent(new CustomEvent<InboxEvent>('inbox-event', { detail: event }));
      // Their message arrived: they are done typing it.
      if (event.type === 'message.created') stoppedTyping(event.data.conversationId, event.data.authorId);
      scheduleRefresh();
    },
    [bus, scheduleRefresh, stoppedTyping],
  );
  const connection = useInbox({
    api,
    token: session.token,
    cursorKey: `parley.console.cursor.${session.agentId}`,
    onEvent,
    onTyping,
    onUnauthorized,
  });

  // Back from a drop: whatever changed meanwhile in the queue reached no inbox of ours.
  useEffect(() => {
    if (connection === 'live') scheduleRefresh();
  }, [connection, scheduleRefresh]);

  async function changePresence(status: Presence) {
    try {
      ok(await api.PUT('/v1/agents/me/presence', { body: { status } }));
      setAgents((all) => all.map((a) => (a.id === session.agentId ? { ...a, presence: status } : a)));
      // Coming online drains the queue into this agent's conversations.
      scheduleRefresh();
    } catch (failure) {
      handleFailure(failure);
    }
  }

  function onTabKey(event: KeyboardEvent) {
    if (event.key !== 'ArrowLeft' && event.key !== 'ArrowRight') return;
    const step = event.key === 'ArrowRight' ? 1 : TABS.length - 1;
    const next = TABS[(TABS.indexOf(tab) + step) % TABS.length];
    setTab(next);
    document.getElementById(`tab-${next}`)?.focus();
  }

  const lists: Record<Tab, { label: string; items: Conversation[] }> = {
    mine: { label: 'Mine', items: mine },
    queue: { label: 'Queue', items: queue },
    all: { label: 'All', items: all },
  };
  const lastAuthor = (c: Conversation) =>
    !c.lastMessageAuthorId
      ? null
      : c.lastMessageAuthorRole === 'customer'
        ? (c.customerName ?? 'Customer')
        : c.lastMessageAuthorId === session.agentId
          ? 'You'
          : (agents.find((a) => a.id === c.lastMessageAuthorId)?.name ?? 'Agent');

  return (
    <div className={`workspace ${openId ? 'has-open' : ''} ${openId && customerShown ? 'card-open' : ''}`}>
      <header className="topbar">
        <span className="brand">Parley</span>
        <PresenceSwitch presence={me?.presence} onChange={changePresence} disabled={!me} />
        <span className={`connection connection-${connection}`} role="status">
          {connection === 'live' ? 'Live' : connection === 'closed' ? 'Disconnected' : 'Reconnecting…'}
        </span>
        <ReportsLink role={session.role} />
        <AuditLink role={session.role} />
        <span className="me">{me?.name}</span>
        <button type="button" className="link" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      {error && (
        <p role="alert" className="error banner">
          {error}
        </p>
      )}
      <nav className="sidebar" aria-label="Conversations">
        <div role="tablist" aria-label="Lists" className="tabs" onKeyDown={onTabKey}>
          {TABS.map((name) => (
            <button
              key={name}
              id={`tab-${name}`}
              type="button"
              role="tab"
              aria-selected={tab === name}
              aria-controls={`panel-${name}`}
              tabIndex={tab === name ? 0 : -1}
              onClick={() => setTab(name)}
            >
              {lists[name].label} <span className="count">{lists[name].items.length}</span>
            </button>
          ))}
        </div>
        <ConversationSearch api={api} onOpen={open} />
        <ConversationFilters
          filters={filters}
          onChange={setFilters}
          labels={labels}
          agents={agents}
          fixed={tab === 'queue' ? ['status', 'assignee'] : tab === 'mine' ? ['assignee'] : []}
        />
        <div id={`panel-${tab}`} role="tabpanel" aria-labelledby={`tab-${tab}`}>
          <ConversationList
            label={{ queue: 'Queue', mine: 'My conversations', all: 'All conversations' }[tab]}
            labels={labels}
            lastAuthor={lastAuthor}
            conversations={lists[tab].items}
            openId={openId}
            now={now}
            waitingSince={(c) => (tab === 'queue' ? c.createdAt : c.lastMessageAt)}
            onOpen={open}
            empty={
              {
                queue: 'Nobody is waiting.',
                mine: 'No open conversations assigned to you.',
                all: 'No conversations match.',
              }[tab]
            }
          />
        </div>
      </nav>
      {openId ? (
        <ConversationView
          key={openId}
          api={api}
          conversationId={openId}
          agentId={session.agentId}
          agents={agents}
          labels={labels}
          bus={bus}
          onChanged={scheduleRefresh}
          onClaimed={() => setTab('mine')}
          onOpen={open}
          onBack={() => open(null)}
          onFailure={handleFailure}
          typing={typingIn(openId)}
          onShowCustomer={setCustomerShown}
        />
      ) : (
        <main className="placeholder">
          <p>Pick a conversation from your list or the queue.</p>
        </main>
      )}
    </div>
  );
}
