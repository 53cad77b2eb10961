import { ChangePriority } from '@parley/contracts';
import {
  ACCEPTED_AT,
  agentIssuer,
  appliedDirectly,
  InMemoryTables,
  storedConversation,
} from '../../../test/in-memory-unit-of-work';
import { ChangePriorityHandler } from './change-priority.handler';

const handler = new ChangePriorityHandler(appliedDirectly);
const change = (priority: ChangePriority['priority']): ChangePriority => ({
  conversationId: 'c1',
  priority,
  issuedBy: agentIssuer(),
  acceptedAt: ACCEPTED_AT,
});

describe('ChangePriorityHandler', () => {
  it('announces a new priority with the one it replaced, and nothing when it is the same', async () => {
    const tables = new InMemoryTables();
    storedConversation(tables, { id: 'c1', priority: 'normal' });

    const [changed] = await handler.apply(tables.unitOfWork(), change('urgent'), '42');
    const same = await handler.apply(tables.unitOfWork(), change('urgent'), '43');

    expect(changed).toMatchObject({
      id: 'conversation.priority_changed:c1:42',
      data: { priority: 'urgent', previousPriority: 'normal', changedBy: 'ag-1' },
    });
    expect(same).toEqual([]);
    expect(tables.conversation('c1').priority).toBe('urgent');
  });
});
