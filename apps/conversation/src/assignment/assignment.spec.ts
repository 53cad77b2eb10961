import { EventTypes } from '@parley/contracts';
import { InMemoryTables, storedAgent, storedConversation } from '../../test/in-memory-unit-of-work';
import { Assignment } from './assignment';

const assignment = new Assignment();
const minutes = (n: number) => new Date(Date.UTC(2026, 0, 1, 0, n));

describe('Assignment', () => {
  let tables: InMemoryTables;
  beforeEach(() => (tables = new InMemoryTables()));

  describe('assign', () => {
    it('takes the conversation out of the queue, remembers the agent for the customer and announces it', async () => {
      const conversation = storedConversation(tables, { id: 'c1', team: 'billing' });
      storedAgent(tables, { id: 'ag-1' });

      const events = await assignment.assign(tables.unitOfWork(), conversation, 'ag-1', 'ag-9', '42');

      expect(tables.conversation('c1')).toMatchObject({ assigneeId: 'ag-1', queuedAt: null });
      expect(tables.lastAgents.get('cu-1')).toBe('ag-1');
      expect(events).toEqual([
        expect.objectContaining({
          id: `${EventTypes.conversationAssigned}:c1:42`,
          type: EventTypes.conversationAssigned,
          assigneeId: 'ag-1',
          data: {
            conversationId: 'c1',
            assigneeId: 'ag-1',
            previousAssigneeId: null,
            assignedBy: 'ag-9',
            team: 'billing',
          },
        }),
      ]);
    });

    it('announces nothing when the assignee stays the same', async () => {
      const conversation = storedConversation(tables, { id: 'c1', assigneeId: 'ag-1', queuedAt: null });
      expect(await assignment.assign(tables.unitOfWork(), conversation, 'ag-1', 'ag-9', '42')).toEqual([]);
    });

    it('puts an unassigned conversation at the back of the queue', async () => {
      const conversation = storedConversation(tables, { id: 'c1', assigneeId: 'ag-1', queuedAt: null });
      const before = Date.now();

      const [event] = await assignment.assign(tables.unitOfWork(), conversation, null, 'ag-9', '42');

      expect(tables.conversation('c1').queuedAt?.getTime()).toBeGreaterThanOrEqual(before);
      expect(event.data).toMatchObject({ assigneeId: null, previousAssigneeId: 'ag-1' });
    });

    it('keeps the place in the queue of a conversation that was not assigned', async () => {
      const conversation = storedConversation(tables, { id: 'c1', queuedAt: minutes(5) });
      await assignment.assign(tables.unitOfWork(), conversation, null, 'ag-9', '42');
      expect(tables.conversation('c1').queuedAt).toEqual(minutes(5));
    });
  });

  describe('autoAssign', () => {
    it('decides under the assignment lock and gives the conversation to a free agent', async () => {
      const conversation = storedConversation(tables, { id: 'c1' });
      storedAgent(tables, { id: 'ag-1' });

      const events = await assignment.autoAssign(tables.unitOfWork(), conversation, '42');

      expect(tables.statements[0]).toBe('lock assignment');
      expect(events.map((e) => e.data)).toEqual([
        expect.objectContaining({ assigneeId: 'ag-1', assignedBy: 'auto' }),
      ]);
    });

    it('leaves the conversation queued, unannounced, when no agent has room', async () => {
      const conversation = storedConversation(tables, { id: 'c1', queuedAt: minutes(3) });
      storedAgent(tables, { id: 'ag-1', capacity: 0 });
      storedAgent(tables, { id: 'ag-2', presence: 'away' });

      expect(await assignment.autoAssign(tables.unitOfWork(), conversation, '42')).toEqual([]);
      expect(tables.conversation('c1')).toMatchObject({ assigneeId: null, queuedAt: minutes(3) });
    });
  });

  describe('drainQueue', () => {
    it('serves the queue by priority, then waiting time, until the capacity is used up', async () => {
      storedConversation(tables, { id: 'low-oldest', priority: 'low', queuedAt: minutes(1) });
      storedConversation(tables, { id: 'normal-newer', priority: 'normal', queuedAt: minutes(4) });
      storedConversation(tables, { id: 'normal-older', priority: 'normal', queuedAt: minutes(2) });
      storedConversation(tables, { id: 'urgent', priority: 'urgent', queuedAt: minutes(9) });
      storedAgent(tables, { id: 'ag-1', capacity: 3 });

      const events = await assignment.drainQueue(tables.unitOfWork(), '42');

      expect(events.map((e) => e.conversationId)).toEqual(['urgent', 'normal-older', 'normal-newer']);
      expect(tables.conversation('low-oldest').assigneeId).toBeNull();
    });

    it('skips a conversation whose team has nobody free, and goes on with the rest', async () => {
      storedConversation(tables, { id: 'billing', priority: 'urgent', team: 'billing' });
      storedConversation(tables, { id: 'any' });
      storedAgent(tables, { id: 'ag-1', teams: ['sales'] });

      const events = await assignment.drainQueue(tables.unitOfWork(), '42');

      expect(events.map((e) => e.conversationId)).toEqual(['any']);
      expect(tables.conversation('billing').assigneeId).toBeNull();
    });

    it('leaves out the conversation whose agent freed the capacity', async () => {
      storedConversation(tables, { id: 'just-left' });
      storedConversation(tables, { id: 'waiting', queuedAt: minutes(7) });
      storedAgent(tables, { id: 'ag-1' });

      const events = await assignment.drainQueue(tables.unitOfWork(), '42', 'just-left');

      expect(events.map((e) => e.conversationId)).toEqual(['waiting']);
    });

    it('reads no queue when no agent has room', async () => {
      storedConversation(tables, { id: 'c1' });
      storedAgent(tables, { id: 'ag-1', presence: 'offline' });

      expect(await assignment.drainQueue(tables.unitOfWork(), '42')).toEqual([]);
      expect(tables.statements).toEqual(['lock assignment']);
    });
  });
});
