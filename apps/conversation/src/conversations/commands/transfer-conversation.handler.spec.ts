import { TransferConversation } from '@parley/contracts';
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
import { TransferConversationHandler } from './transfer-conversation.handler';

const handler = new TransferConversationHandler(appliedDirectly, new Assignment());
const transfer = (fields: Partial<TransferConversation>): TransferConversation => ({
  conversationId: 'c1',
  transferId: 't1',
  reason: 'needs billing',
  issuedBy: agentIssuer('ag-1'),
  acceptedAt: ACCEPTED_AT,
  ...fields,
});

describe('TransferConversationHandler', () => {
  let tables: InMemoryTables;
  beforeEach(() => {
    tables = new InMemoryTables();
    storedAgent(tables, { id: 'ag-1', capacity: 1 });
    storedAgent(tables, { id: 'ag-2', teams: ['billing'] });
    storedConversation(tables, { id: 'c1', assigneeId: 'ag-1', queuedAt: null, lastSeq: 2 });
  });

  it('announces the transfer and its record first, then the new assignee, then what the freed capacity drained', async () => {
    storedConversation(tables, { id: 'waiting', customerId: 'cu-2' });
    const unit = tables.unitOfWork();

    const events = await handler.apply(unit, transfer({ agentId: 'ag-2', note: 'VIP' }), '42');
    await unit.complete();

    expect(summaryOf(events)).toEqual([
      'conversation.transferred c1',
      'note.created c1',
      'conversation.assigned c1',
      'conversation.assigned waiting',
    ]);
    expect(events[0]).toMatchObject({
      assigneeId: 'ag-2',
      data: {
        fromAgentId: 'ag-1',
        toAgentId: 'ag-2',
        reason: 'needs billing',
        note: 'VIP',
        entryId: 't1',
        seq: 3,
      },
    });
    expect(events[1].data).toMatchObject({
      type: 'note',
      seq: 3,
      body: 'Transferred from agent ag-1 to agent ag-2 by agent ag-1.\nReason: needs billing\nNote: VIP',
    });
    expect(tables.conversation('waiting').assigneeId).toBe('ag-1');
    expect(tables.entries.map((e) => [e.id, e.type])).toEqual([['t1', 'note']]);
  });

  it('hands the conversation to a team’s queue, where a free agent of the team takes it', async () => {
    const events = await handler.apply(tables.unitOfWork(), transfer({ team: 'billing' }), '42');

    expect(summaryOf(events)).toEqual([
      'conversation.transferred c1',
      'note.created c1',
      'conversation.assigned c1',
      'conversation.assigned c1',
    ]);
    expect(events.slice(2).map((e) => e.data)).toEqual([
      expect.objectContaining({ assigneeId: null, previousAssigneeId: 'ag-1', team: 'billing' }),
      expect.objectContaining({ assigneeId: 'ag-2', assignedBy: 'auto', team: 'billing' }),
    ]);
    expect(tables.conversation('c1')).toMatchObject({ team: 'billing', assigneeId: 'ag-2' });
  });

  it('moves nothing again once its record is in the history', async () => {
    const unit = tables.unitOfWork();
    await handler.apply(unit, transfer({ agentId: 'ag-2' }), '42');
    await unit.complete();

    expect(await handler.apply(tables.unitOfWork(), transfer({ agentId: 'ag-2' }), '43')).toEqual([]);
  });

  it('refuses for good a transfer to an agent who does not exist', async () => {
    await expect(
      handler.apply(tables.unitOfWork(), transfer({ agentId: 'ghost' }), '42'),
    ).rejects.toMatchObject({
      name: 'PermanentFailure',
      message: 'agent ghost does not exist',
    });
  });
});
