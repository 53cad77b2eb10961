import { RateConversation } from '@parley/contracts';
import { PermanentFailure } from '@parley/jetstream';
import {
  ACCEPTED_AT,
  appliedDirectly,
  customer,
  InMemoryTables,
  storedConversation,
} from '../../../test/in-memory-unit-of-work';
import { RateConversationHandler } from './rate-conversation.handler';

const handler = new RateConversationHandler(appliedDirectly);
const rating = (fields: Partial<RateConversation> = {}): RateConversation => ({
  conversationId: 'c1',
  score: 4,
  via: 'widget',
  issuedBy: customer(),
  acceptedAt: ACCEPTED_AT,
  ...fields,
});

describe('RateConversationHandler', () => {
  let tables: InMemoryTables;
  beforeEach(() => (tables = new InMemoryTables()));

  it('keeps the rating of a resolved conversation for the agent it is assigned to, a later one replacing it', async () => {
    storedConversation(tables, { id: 'c1', status: 'resolved', assigneeId: 'ag-1', siteId: 'site-1' });

    const [rated] = await handler.apply(tables.unitOfWork(), rating({ comment: 'Quick!' }), '42');
    await handler.apply(tables.unitOfWork(), rating({ score: 2, via: 'email' }), '43');

    expect(rated).toMatchObject({
      id: 'conversation.rated:c1:42',
      type: 'conversation.rated',
      customerId: 'cu-1',
      assigneeId: 'ag-1',
      data: {
        conversationId: 'c1',
        customerId: 'cu-1',
        agentId: 'ag-1',
        siteId: 'site-1',
        score: 4,
        comment: 'Quick!',
        via: 'widget',
        ratedAt: ACCEPTED_AT,
      },
    });
    expect(tables.ratings.get('c1')).toMatchObject({ score: 2, comment: null, via: 'email' });
  });

  it('refuses for good a conversation that is not resolved, or not the customer’s', async () => {
    storedConversation(tables, { id: 'c1', status: 'open' });
    storedConversation(tables, { id: 'c2', status: 'resolved', customerId: 'cu-other' });

    await expect(handler.apply(tables.unitOfWork(), rating(), '42')).rejects.toBeInstanceOf(PermanentFailure);
    await expect(
      handler.apply(tables.unitOfWork(), rating({ conversationId: 'c2' }), '43'),
    ).rejects.toBeInstanceOf(PermanentFailure);
    expect(tables.ratings.size).toBe(0);
  });
});
