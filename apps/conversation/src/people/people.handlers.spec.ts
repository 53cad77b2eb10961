import { RegisterAgent, SetPresence } from '@parley/contracts';
import {
  ACCEPTED_AT,
  agentIssuer,
  appliedDirectly,
  InMemoryTables,
  storedAgent,
  storedConversation,
  summaryOf,
} from '../../test/in-memory-unit-of-work';
import { Assignment } from '../assignment/assignment';
import { PeopleHandlers } from './people.handlers';

const handlers = new PeopleHandlers(appliedDirectly, new Assignment());
const presence = (status: SetPresence['status']): SetPresence => ({
  agentId: 'ag-1',
  status,
  issuedBy: agentIssuer('ag-1'),
  acceptedAt: ACCEPTED_AT,
});

describe('PeopleHandlers', () => {
  let tables: InMemoryTables;
  beforeEach(() => (tables = new InMemoryTables()));

  it('announces an agent once, however often the registration comes', async () => {
    const register: RegisterAgent = {
      agentId: 'ag-1',
      name: 'Ada',
      email: 'ada@example.com',
      teams: ['billing'],
      capacity: 3,
      issuedBy: { id: 'admin', role: 'admin' },
      acceptedAt: ACCEPTED_AT,
    };

    const first = await handlers.registerAgent(tables.unitOfWork(), register);
    const again = await handlers.registerAgent(tables.unitOfWork(), register);

    expect(first).toEqual([
      expect.objectContaining({
        id: 'agent.registered:ag-1',
        occurredAt: ACCEPTED_AT,
        data: expect.objectContaining({ capacity: 3 }),
      }),
    ]);
    expect(again).toEqual([]);
    expect(tables.agents.get('ag-1')?.presence).toBe('offline');
  });

  it('an agent coming online takes work from the queue at once', async () => {
    storedAgent(tables, { id: 'ag-1', presence: 'offline' });
    storedConversation(tables, { id: 'waiting' });

    const events = await handlers.setPresence(tables.unitOfWork(), presence('online'), '42');

    expect(summaryOf(events)).toEqual(['agent.presence_changed', 'conversation.assigned waiting']);
    expect(events[0]).toMatchObject({
      id: 'agent.presence_changed:ag-1:42',
      data: { agentId: 'ag-1', status: 'online' },
    });
  });

  it('an agent going away takes nothing, and the same presence again announces nothing', async () => {
    storedAgent(tables, { id: 'ag-1' });
    storedConversation(tables, { id: 'waiting' });

    expect(summaryOf(await handlers.setPresence(tables.unitOfWork(), presence('away'), '42'))).toEqual([
      'agent.presence_changed',
    ]);
    expect(await handlers.setPresence(tables.unitOfWork(), presence('away'), '43')).toEqual([]);
    expect(tables.conversation('waiting').assigneeId).toBeNull();
  });
});
