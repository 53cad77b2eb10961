import {
  ConversationAssignedData,
  ConversationTransferredData,
  DomainEvent,
  EventTypes,
  StoredMessageData,
} from '@parley/contracts';
import { firstResponses, isResponse, placements } from './report-projection';

const message = (fields: Partial<StoredMessageData>): StoredMessageData => ({
  messageId: 'm1',
  conversationId: 'c1',
  seq: 1,
  authorId: 'ag-1',
  authorRole: 'agent',
  type: 'message',
  body: 'hi',
  createdAt: '2026-03-02T08:00:00.000Z',
  ...fields,
});

type Placed = DomainEvent<ConversationAssignedData | ConversationTransferredData>;
const assigned = (occurredAt: string, assigneeId: string | null, team: string | null): Placed => ({
  id: `a:${occurredAt}`,
  type: EventTypes.conversationAssigned,
  occurredAt,
  data: { conversationId: 'c1', assigneeId, previousAssigneeId: null, assignedBy: 'auto', team },
});
const transferred = (occurredAt: string, team: string): Placed => ({
  id: `t:${occurredAt}`,
  type: EventTypes.conversationTransferred,
  occurredAt,
  data: {
    conversationId: 'c1',
    fromAgentId: 'ag-1',
    toAgentId: null,
    team,
    reason: null,
    note: null,
    transferredBy: 'ag-1',
    entryId: 'e1',
    seq: 2,
  },
});

describe('isResponse', () => {
  it('is an agent’s or admin’s message, not a note, not the customer’s, not the automatic reply', () => {
    expect(isResponse(message({}))).toBe(true);
    expect(isResponse(message({ authorRole: 'admin', via: 'email' }))).toBe(true);
    expect(isResponse(message({ type: 'note' }))).toBe(false);
    expect(isResponse(message({ authorRole: 'customer' }))).toBe(false);
    expect(isResponse(message({ via: 'automatic' }))).toBe(false);
  });
});

describe('firstResponses', () => {
  it('keeps the earliest response of each conversation', () => {
    const first = firstResponses([
      message({ createdAt: '2026-03-02T08:05:00.000Z' }),
      message({ createdAt: '2026-03-02T08:01:00.000Z' }),
      message({ createdAt: '2026-03-02T08:00:00.000Z', authorRole: 'customer' }),
      message({ conversationId: 'c2', createdAt: '2026-03-02T09:00:00.000Z' }),
    ]);
    expect(Object.fromEntries(first)).toEqual({
      c1: '2026-03-02T08:01:00.000Z',
      c2: '2026-03-02T09:00:00.000Z',
    });
  });
});

describe('placements', () => {
  it('takes the assignee from the latest assignment and the team from the latest assignment or transfer', () => {
    expect(
      placements([
        assigned('2026-03-02T08:00:00.000Z', 'ag-1', 'billing'),
        transferred('2026-03-02T08:10:00.000Z', 'shipping'),
      ]),
    ).toEqual([
      {
        conversationId: 'c1',
        assignee: { id: 'ag-1', at: '2026-03-02T08:00:00.000Z' },
        team: { name: 'shipping', at: '2026-03-02T08:10:00.000Z' },
      },
    ]);
  });

  it('keeps a later placement over one that says it happened earlier', () => {
    expect(
      placements([
        assigned('2026-03-02T08:10:00.000Z', 'ag-2', 'shipping'),
        assigned('2026-03-02T08:00:00.000Z', 'ag-1', 'billing'),
      ]),
    ).toEqual([
      {
        conversationId: 'c1',
        assignee: { id: 'ag-2', at: '2026-03-02T08:10:00.000Z' },
        team: { name: 'shipping', at: '2026-03-02T08:10:00.000Z' },
      },
    ]);
  });
});
