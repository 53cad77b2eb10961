import { OpenConversation } from '@parley/contracts';
import {
  ACCEPTED_AT,
  appliedDirectly,
  customer,
  InMemoryTables,
  storedAgent,
  storedConversation,
  summaryOf,
} from '../../../test/in-memory-unit-of-work';
import { Assignment } from '../../assignment/assignment';
import { OpenConversationHandler } from './open-conversation.handler';

const handler = new OpenConversationHandler(appliedDirectly, new Assignment());
const open: OpenConversation = {
  conversationId: 'c1',
  messageId: 'm1',
  subject: 'Refund',
  body: 'I want my money back',
  priority: 'high',
  issuedBy: customer('cu-7'),
  acceptedAt: ACCEPTED_AT,
};

describe('OpenConversationHandler', () => {
  let tables: InMemoryTables;
  beforeEach(() => (tables = new InMemoryTables()));

  it('opens the conversation with its first message and announces it with its final assignee', async () => {
    storedAgent(tables, { id: 'ag-1' });
    const unit = tables.unitOfWork();

    const events = await handler.apply(unit, open, '42');
    await unit.complete();

    expect(summaryOf(events)).toEqual([
      'conversation.created c1',
      'message.created c1',
      'conversation.assigned c1',
    ]);
    expect(events[0]).toMatchObject({
      id: 'conversation.created:c1',
      customerId: 'cu-7',
      assigneeId: 'ag-1',
      data: { subject: 'Refund', status: 'open', priority: 'high' },
    });
    expect(events[1]).toMatchObject({
      id: 'message.created:m1',
      data: { seq: 1, body: 'I want my money back' },
    });
    expect(tables.conversation('c1')).toMatchObject({
      customerId: 'cu-7',
      status: 'open',
      assigneeId: 'ag-1',
      queuedAt: null,
      lastSeq: 1,
      lastMessagePreview: 'I want my money back',
    });
  });

  it('queues the conversation when no agent is free, addressed to nobody', async () => {
    const events = await handler.apply(tables.unitOfWork(), open, '42');

    expect(summaryOf(events)).toEqual(['conversation.created c1', 'message.created c1']);
    expect(events[0].assigneeId).toBeNull();
    expect(tables.conversation('c1').queuedAt).toBeInstanceOf(Date);
  });

  it('opens nothing again for a retry, also one after the duplicate window', async () => {
    storedConversation(tables, { id: 'c1', lastSeq: 1 });

    expect(await handler.apply(tables.unitOfWork(), open, '43')).toEqual([]);
    expect(tables.statements).toEqual(['find c1']);
  });
});
