import { DomainEvent, EventTypes } from '@parley/contracts';
import { addressBatch, recipientsOf } from './recipients';

const base = { occurredAt: '2026-01-01T00:00:00Z', conversationId: 'c1', customerId: 'cu1', data: {} };
const agents = async () => ['a1', 'a2'];

describe('recipientsOf', () => {
  it('gives a message to the customer and the assignee', async () => {
    const event: DomainEvent = { ...base, id: 'e', type: EventTypes.messageCreated, assigneeId: 'a1' };
    expect(await recipientsOf(event, agents)).toEqual(['cu1', 'a1']);
  });

  it('never gives a note to the customer', async () => {
    const event: DomainEvent = { ...base, id: 'e', type: EventTypes.noteCreated, assigneeId: 'a2' };
    expect(await recipientsOf(event, agents)).toEqual(['a2']);
  });

  it('tells every agent about a conversation that lands in the queue', async () => {
    const event: DomainEvent = { ...base, id: 'e', type: EventTypes.conversationCreated, assigneeId: null };
    expect(await recipientsOf(event, agents)).toEqual(['cu1', 'a1', 'a2']);
  });

  it('gives a rating to the agent it counts for, not to the customer who gave it', async () => {
    const event: DomainEvent = { ...base, id: 'e', type: EventTypes.conversationRated, assigneeId: 'a2' };
    expect(await recipientsOf(event, agents)).toEqual(['a2']);
  });

  it('gives label changes to the assignee, or to every agent while unassigned, never to the customer', async () => {
    const labelled: DomainEvent = { ...base, id: 'e', type: EventTypes.labelsChanged, assigneeId: 'a2' };
    expect(await recipientsOf(labelled, agents)).toEqual(['a2']);
    expect(await recipientsOf({ ...labelled, assigneeId: null }, agents)).toEqual(['a1', 'a2']);
  });

  it('tells only the author that a message was rejected', async () => {
    const event: DomainEvent = {
      ...base,
      id: 'e',
      type: EventTypes.messageRejected,
      data: { authorId: 'cu9', messageId: 'm', conversationId: 'c1', reason: 'x' },
    };
    expect(await recipientsOf(event, agents)).toEqual(['cu9']);
  });
});

describe('recipientsOf handovers and receipts', () => {
  it('keeps assignment changes from the customer and tells both agents', async () => {
    const event: DomainEvent = {
      ...base,
      id: 'e',
      type: EventTypes.conversationAssigned,
      assigneeId: 'a2',
      data: { previousAssigneeId: 'a1' },
    };
    expect(await recipientsOf(event, agents)).toEqual(['a2', 'a1']);
  });

  it('sends a read receipt to the other side only', async () => {
    const byCustomer: DomainEvent = {
      ...base,
      id: 'e',
      type: EventTypes.receiptRead,
      assigneeId: 'a1',
      data: { readerId: 'cu1' },
    };
    expect(await recipientsOf(byCustomer, agents)).toEqual(['a1']);
    const byAgent: DomainEvent = { ...byCustomer, data: { readerId: 'a1' } };
    expect(await recipientsOf(byAgent, agents)).toEqual(['cu1']);
  });
});

describe('addressBatch', () => {
  const event = (id: string, type: string, assigneeId: string | null): DomainEvent => ({
    ...base,
    id,
    type,
    assigneeId,
  });

  it('addresses each event once per recipient, in the batch order', async () => {
    const batch = [event('e1', EventTypes.messageCreated, 'a1'), event('e2', EventTypes.noteCreated, 'a1')];
    expect(await addressBatch(batch, agents)).toEqual({
      principals: ['cu1', 'a1', 'a1'],
      eventIndexes: [0, 0, 1],
    });
  });

  it('reads the agents once for a batch of queued conversations, and not at all without one', async () => {
    const readAgents = jest.fn(agents);
    const queued = [
      event('e1', EventTypes.conversationCreated, null),
      { ...event('e2', EventTypes.conversationCreated, null), customerId: 'cu2' },
    ];
    expect(await addressBatch(queued, readAgents)).toEqual({
      principals: ['cu1', 'a1', 'a2', 'cu2', 'a1', 'a2'],
      eventIndexes: [0, 0, 0, 1, 1, 1],
    });
    expect(readAgents).toHaveBeenCalledTimes(1);
    readAgents.mockClear();
    await addressBatch([event('e3', EventTypes.messageCreated, 'a1')], readAgents);
    expect(readAgents).not.toHaveBeenCalled();
  });
});
