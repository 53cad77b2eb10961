import { AssignConversation } from '@parley/contracts';
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
import { AssignConversationHandler } from './assign-conversation.handler';

const handler = new AssignConversationHandler(appliedDirectly, new Assignment());
const assign = (agentId: string | null): AssignConversation => ({
  conversationId: 'c1',
  agentId,
  issuedBy: agentIssuer('lead'),
  acceptedAt: ACCEPTED_AT,
});

describe('AssignConversationHandler', () => {
  let tables: InMemoryTables;
  beforeEach(() => {
    tables = new InMemoryTables();
    storedAgent(tables, { id: 'ag-1', capacity: 1 });
    storedAgent(tables, { id: 'ag-2', capacity: 0, presence: 'offline' });
    storedConversation(tables, { id: 'c1', assigneeId: 'ag-1', queuedAt: null });
  });

  it('assigns whatever the agent’s capacity and presence, and gives the previous agent’s room to the queue', async () => {
    storedConversation(tables, { id: 'waiting' });

    const events = await handler.apply(tables.unitOfWork(), assign('ag-2'), '42');

    expect(summaryOf(events)).toEqual(['conversation.assigned c1', 'conversation.assigned waiting']);
    expect(events[0].data).toMatchObject({
      assigneeId: 'ag-2',
      previousAssigneeId: 'ag-1',
      assignedBy: 'lead',
    });
    expect(tables.conversation('waiting').assigneeId).toBe('ag-1');
  });

  it('puts the conversation back in the queue, not straight back to the agent who had it', async () => {
    const events = await handler.apply(tables.unitOfWork(), assign(null), '42');

    expect(summaryOf(events)).toEqual(['conversation.assigned c1']);
    expect(tables.conversation('c1').assigneeId).toBeNull();
  });

  it('refuses for good an agent who does not exist', async () => {
    await expect(handler.apply(tables.unitOfWork(), assign('ghost'), '42')).rejects.toMatchObject({
      name: 'PermanentFailure',
    });
    expect(tables.conversation('c1').assigneeId).toBe('ag-1');
  });
});
