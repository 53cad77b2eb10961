import { ChangeStatus, WakeConversation } from '@parley/contracts';
import {
  ACCEPTED_AT,
  agentIssuer,
  appliedDirectly,
  InMemoryTables,
  storedAgent,
  storedConversation,
  summaryOf,
} from '../../../test/in-memory-unit-of-work';
import { Assignment } from '../../assignment/assignment';
import { ChangeStatusHandler } from './change-status.handler';

const handler = new ChangeStatusHandler(appliedDirectly, new Assignment());
const change = (fields: Partial<ChangeStatus>): ChangeStatus => ({
  conversationId: 'c1',
  status: 'open',
  issuedBy: agentIssuer(),
  acceptedAt: ACCEPTED_AT,
  ...fields,
});
const SNOOZE_END = '2026-02-01T09:00:00.000Z';
const wake = (snoozeUntil: string): WakeConversation => ({
  conversationId: 'c1',
  snoozeUntil,
  issuedBy: { id: 'snooze-alarm', role: 'admin' },
  acceptedAt: ACCEPTED_AT,
});

describe('ChangeStatusHandler', () => {
  let tables: InMemoryTables;
  beforeEach(() => (tables = new InMemoryTables()));

  it('resolving gives the agent’s freed capacity to the queue', async () => {
    storedAgent(tables, { id: 'ag-1', capacity: 1 });
    storedConversation(tables, { id: 'c1', assigneeId: 'ag-1', queuedAt: null });
    storedConversation(tables, { id: 'waiting' });

    const events = await handler.apply(tables.unitOfWork(), change({ status: 'resolved' }), '42');

    expect(summaryOf(events)).toEqual(['conversation.status_changed c1', 'conversation.assigned waiting']);
    expect(events[0].data).toMatchObject({ status: 'resolved', previousStatus: 'open', changedBy: 'ag-1' });
    expect(tables.conversation('waiting').assigneeId).toBe('ag-1');
  });

  it('announces nothing when the status stays as it is', async () => {
    storedConversation(tables, { id: 'c1', status: 'pending', assigneeId: 'ag-1' });
    expect(await handler.apply(tables.unitOfWork(), change({ status: 'pending' }), '42')).toEqual([]);
  });

  it('assigns a resolved conversation reopened with nobody on it', async () => {
    storedAgent(tables, { id: 'ag-1' });
    storedConversation(tables, { id: 'c1', status: 'resolved', queuedAt: null });

    const events = await handler.apply(tables.unitOfWork(), change({ status: 'open' }), '42');

    expect(summaryOf(events)).toEqual(['conversation.status_changed c1', 'conversation.assigned c1']);
  });

  it('snoozes until the time given, and only that snooze’s alarm wakes the conversation', async () => {
    storedAgent(tables, { id: 'ag-2' });
    storedConversation(tables, { id: 'c1' });
    await handler.apply(tables.unitOfWork(), change({ status: 'snoozed', snoozeUntil: SNOOZE_END }), '42');
    expect(tables.conversation('c1')).toMatchObject({ status: 'snoozed', snoozeUntil: new Date(SNOOZE_END) });

    expect(await handler.wake(tables.unitOfWork(), wake('2026-01-15T09:00:00.000Z'), '43')).toEqual([]);
    const woken = await handler.wake(tables.unitOfWork(), wake(SNOOZE_END), '44');

    expect(summaryOf(woken)).toEqual(['conversation.status_changed c1', 'conversation.assigned c1']);
    expect(woken[0].data).toMatchObject({ status: 'open', previousStatus: 'snoozed', changedBy: 'snooze' });
    expect(tables.conversation('c1')).toMatchObject({
      status: 'open',
      snoozeUntil: null,
      assigneeId: 'ag-2',
    });
  });

  it('refuses for good a change to a conversation that does not exist', async () => {
    await expect(handler.apply(tables.unitOfWork(), change({}), '42')).rejects.toMatchObject({
      name: 'PermanentFailure',
      status: 404,
    });
  });
});
