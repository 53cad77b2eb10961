import { MarkRead } from '@parley/contracts';
import {
  ACCEPTED_AT,
  appliedDirectly,
  customer,
  InMemoryTables,
  storedConversation,
} from '../../../test/in-memory-unit-of-work';
import { MarkReadHandler } from './mark-read.handler';

const handler = new MarkReadHandler(appliedDirectly);
const read = (seq: number, issuedBy = customer()): MarkRead => ({
  conversationId: 'c1',
  seq,
  issuedBy,
  acceptedAt: ACCEPTED_AT,
});

describe('MarkReadHandler', () => {
  let tables: InMemoryTables;
  beforeEach(() => {
    tables = new InMemoryTables();
    storedConversation(tables, { id: 'c1', lastSeq: 5 });
  });

  it('moves the reader’s horizon forward, never past the last seq and never back', async () => {
    const [receipt] = await handler.apply(tables.unitOfWork(), read(9), '42');
    expect(receipt).toMatchObject({
      type: 'receipt.read',
      data: { conversationId: 'c1', readerId: 'cu-1', readerRole: 'customer', seq: 5 },
    });

    expect(await handler.apply(tables.unitOfWork(), read(3), '43')).toEqual([]);
    expect(await handler.apply(tables.unitOfWork(), read(5), '44')).toEqual([]);
  });

  it('refuses a customer who is not the conversation’s as if it did not exist', async () => {
    await expect(
      handler.apply(tables.unitOfWork(), read(1, customer('cu-other')), '42'),
    ).rejects.toMatchObject({
      name: 'PermanentFailure',
      status: 404,
    });
  });
});
