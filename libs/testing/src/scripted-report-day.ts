import type {
  ConversationAssignedData,
  ConversationCreatedData,
  ConversationReportFigures,
  ConversationReportQuery,
  ConversationTransferredData,
  DomainEvent,
  EventType,
  Role,
  StatusChangedData,
  StoredMessageData,
} from '@parley/contracts';

/**
 * A scripted day of events with fixed timestamps, as the conversation service emits them, and the
 * report figures it must give, computed by hand with percentile_cont's interpolation: the value at
 * position p·(n−1) of the sorted values, linearly between its neighbours. Fed to history's
 * projection directly (apps/history/test/reports.int-spec.ts) and through the events stream
 * (e2e/reports.e2e-spec.ts).
 *
 * | conv | opened | site | last agent / team | first reply | resolved                                    |
 * | c1   | 08:00  | s1   | ag-1 billing      | +60 s       | +600 s                                      |
 * | c2   | 08:30  | s1   | ag-1 billing      | +120 s      | +1800 s (09:00)                             |
 * | c3   | 09:15  | s2   | ag-2 shipping     | +30 s       | never (pending)                             |
 * | c4   | 09:45  | s2   | ag-2 shipping     | +300 s      | +3600 s                                     |
 * | c5   | 13:00  | s1   | ag-1 → ag-2       | +90 s       | +1200 s, reopened +2400 s, resolved +4800 s |
 * | c6   | 23:30  | s2   | ag-1 billing      | none: the automatic reply is none | never                 |
 *
 * c1 also has the customer's message, a note at +30 s and a second reply; none of them counts.
 */
export const SCRIPTED_DAY = '2026-03-02';

/**
 * The event types, checked against the contract's: this lib loads no contracts at run time (their
 * decorators want reflect-metadata, which the tools that load this lib do not set up).
 */
const EventTypes = {
  conversationCreated: 'conversation.created',
  conversationAssigned: 'conversation.assigned',
  conversationTransferred: 'conversation.transferred',
  messageCreated: 'message.created',
  noteCreated: 'note.created',
  statusChanged: 'conversation.status_changed',
} as const satisfies Record<string, EventType>;

const at = (hhmm: string, plusSeconds = 0) =>
  new Date(Date.parse(`${SCRIPTED_DAY}T${hhmm}:00.000Z`) + plusSeconds * 1000).toISOString();

function event<T extends { conversationId: string }>(
  type: string,
  key: string,
  occurredAt: string,
  data: T,
): DomainEvent<T> {
  return { id: `${type}:${key}`, type, conversationId: data.conversationId, occurredAt, data };
}

function opened(id: string, hhmm: string, siteId: string) {
  return event<ConversationCreatedData>(EventTypes.conversationCreated, id, at(hhmm), {
    conversationId: id,
    customerId: `cu-${id}`,
    siteId,
    subject: null,
    status: 'open',
    priority: 'normal',
    createdAt: at(hhmm),
  });
}

function assigned(id: string, hhmm: string, plus: number, agentId: string, team: string) {
  return event<ConversationAssignedData>(
    EventTypes.conversationAssigned,
    `${id}:${agentId}`,
    at(hhmm, plus),
    {
      conversationId: id,
      assigneeId: agentId,
      previousAssigneeId: null,
      assignedBy: 'auto',
      team,
    },
  );
}

let serial = 0;
function message(
  id: string,
  hhmm: string,
  plus: number,
  authorRole: Role,
  extra: Partial<StoredMessageData> = {},
): DomainEvent<StoredMessageData> {
  serial += 1;
  const messageId = `${id}-m${serial}`;
  const type = extra.type === 'note' ? EventTypes.noteCreated : EventTypes.messageCreated;
  return event<StoredMessageData>(type, messageId, at(hhmm, plus), {
    messageId,
    conversationId: id,
    seq: serial,
    authorId: authorRole === 'customer' ? `cu-${id}` : 'ag-1',
    authorRole,
    type: 'message',
    body: 'text',
    createdAt: at(hhmm, plus),
    ...extra,
  });
}

function status(id: string, hhmm: string, plus: number, to: StatusChangedData['status']) {
  return event<StatusChangedData>(EventTypes.statusChanged, `${id}:${plus}`, at(hhmm, plus), {
    conversationId: id,
    status: to,
    previousStatus: to === 'resolved' ? 'open' : 'resolved',
    snoozeUntil: null,
    changedBy: 'ag-1',
  });
}

/** c5's first resolution and first assignment, which a late redelivery must not bring back. */
export const SUPERSEDED_EVENTS: DomainEvent<object>[] = [
  status('c5', '13:00', 1200, 'resolved'),
  assigned('c5', '13:00', 5, 'ag-1', 'billing'),
];

export const SCRIPTED_DAY_EVENTS: DomainEvent<object>[] = [
  opened('c1', '08:00', 's1'),
  message('c1', '08:00', 0, 'customer'),
  assigned('c1', '08:00', 1, 'ag-1', 'billing'),
  message('c1', '08:00', 30, 'agent', { type: 'note' }),
  message('c1', '08:00', 60, 'agent'),
  message('c1', '08:00', 90, 'admin'),
  status('c1', '08:00', 600, 'resolved'),
  opened('c2', '08:30', 's1'),
  assigned('c2', '08:30', 1, 'ag-1', 'billing'),
  message('c2', '08:30', 120, 'admin'),
  status('c2', '08:30', 1800, 'resolved'),
  opened('c3', '09:15', 's2'),
  assigned('c3', '09:15', 1, 'ag-2', 'shipping'),
  message('c3', '09:15', 30, 'agent'),
  status('c3', '09:15', 40, 'pending'),
  opened('c4', '09:45', 's2'),
  assigned('c4', '09:45', 1, 'ag-2', 'shipping'),
  message('c4', '09:45', 300, 'agent'),
  status('c4', '09:45', 3600, 'resolved'),
  opened('c5', '13:00', 's1'),
  SUPERSEDED_EVENTS[1],
  message('c5', '13:00', 90, 'agent'),
  event<ConversationTransferredData>(EventTypes.conversationTransferred, 'c5', at('13:00', 100), {
    conversationId: 'c5',
    fromAgentId: 'ag-1',
    toAgentId: 'ag-2',
    team: 'shipping',
    reason: null,
    note: null,
    transferredBy: 'ag-1',
    entryId: 'c5-transfer',
    seq: 9,
  }),
  assigned('c5', '13:00', 100, 'ag-2', 'shipping'),
  SUPERSEDED_EVENTS[0],
  message('c5', '13:00', 2400, 'customer'),
  status('c5', '13:00', 2400, 'open'),
  status('c5', '13:00', 4800, 'resolved'),
  opened('c6', '23:30', 's2'),
  message('c6', '23:30', 0, 'customer'),
  message('c6', '23:30', 1, 'agent', { via: 'automatic' }),
  assigned('c6', '23:30', 2, 'ag-1', 'billing'),
];

/** The scripted day and the next, by day in UTC. */
export const SCRIPTED_PERIOD: ConversationReportQuery = {
  from: SCRIPTED_DAY,
  to: '2026-03-03',
  timeZone: 'UTC',
  granularity: 'day',
};

/** A bucket in which no conversation was opened. */
export const NO_CONVERSATIONS = {
  volume: 0,
  firstResponses: 0,
  firstResponseMedianSeconds: null,
  firstResponseP90Seconds: null,
  resolutions: 0,
  resolutionMedianSeconds: null,
  resolutionP90Seconds: null,
};

/**
 * The whole day. First replies 30, 60, 90, 120, 300 s (c3, c1, c5, c2, c4): median at position 2 →
 * 90; p90 at 3.6 → 120 + 0.6 × (300 − 120) = 228. Resolutions 600, 1800, 3600, 4800 s (c1, c2, c4,
 * c5 at its current resolution): median at 1.5 → 1800 + 0.5 × 1800 = 2700; p90 at 2.7 → 3600 + 0.7 ×
 * 1200 = 4440. At the end of the day (and of the next), c3 and c6 are not resolved: backlog 2.
 */
export const SCRIPTED_DAY_FIGURES: ConversationReportFigures = {
  volume: 6,
  firstResponses: 5,
  firstResponseMedianSeconds: 90,
  firstResponseP90Seconds: 228,
  resolutions: 4,
  resolutionMedianSeconds: 2700,
  resolutionP90Seconds: 4440,
  backlog: 2,
};
