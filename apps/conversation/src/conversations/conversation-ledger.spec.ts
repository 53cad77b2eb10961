import { customer, InMemoryTables, storedConversation } from '../../test/in-memory-unit-of-work';
import type { UnitOfWork } from '../events/unit-of-work';
import type { Conversation } from './conversation.entity';

async function locked(unit: UnitOfWork, id: string): Promise<Conversation> {
  const conversation = await unit.ledger.lock(id);
  if (!conversation) throw new Error(`no conversation ${id}`);
  return conversation;
}

describe('ConversationLedger, in a unit of work', () => {
  let tables: InMemoryTables;
  beforeEach(() => {
    tables = new InMemoryTables();
    storedConversation(tables, { id: 'c1', lastSeq: 4 });
    storedConversation(tables, { id: 'c2' });
  });

  it('hands out the next seqs and writes every append in one statement when the unit completes', async () => {
    const unit = tables.unitOfWork();
    const c1 = await locked(unit, 'c1');
    const c2 = await locked(unit, 'c2');

    const appended = [
      unit.ledger.append(c1, 'm1', customer(), 'message', 'hello'),
      unit.ledger.append(c2, 'm2', customer(), 'message', 'other'),
      unit.ledger.append(c1, 'n1', { id: 'ag-1', role: 'agent' }, 'note', 'internal'),
    ];
    expect(appended.map((e) => [e.conversationId, e.seq])).toEqual([
      ['c1', 5],
      ['c2', 1],
      ['c1', 6],
    ]);
    expect(tables.entries).toEqual([]);

    await unit.complete();
    expect(tables.statements.filter((s) => s.startsWith('write'))).toEqual(['write m1,m2,n1']);
    expect(tables.entries.map((e) => e.id)).toEqual(['m1', 'm2', 'n1']);
    // A note moves the seq on but is not what a list previews.
    expect(tables.conversation('c1')).toMatchObject({ lastSeq: 6, lastMessagePreview: 'hello' });
    expect(tables.conversation('c2')).toMatchObject({ lastSeq: 1, lastMessagePreview: 'other' });
  });

  it('previews the start of a long message', async () => {
    const unit = tables.unitOfWork();
    unit.ledger.append(await locked(unit, 'c1'), 'm1', customer(), 'message', 'x'.repeat(500));
    await unit.complete();
    expect(tables.conversation('c1').lastMessagePreview).toBe('x'.repeat(140));
  });

  it('locks a conversation once per transaction and hands every command the same row', async () => {
    const unit = tables.unitOfWork();
    await unit.ledger.lockAll(['c2', 'c1', 'c2', 'missing']);
    const first = await unit.ledger.lock('c1');
    const again = await unit.ledger.lock('c1');

    expect(first).toBe(again);
    expect(await unit.ledger.lock('missing')).toBeUndefined();
    expect(tables.statements).toEqual(['lock c2,c1,missing', 'lock missing']);
  });

  it('starts every transaction with nothing held, looked up or appended', async () => {
    const first = tables.unitOfWork();
    first.ledger.append(await locked(first, 'c1'), 'm1', customer(), 'message', 'never committed');

    const second = tables.unitOfWork();
    expect(await second.ledger.isRecorded('m1')).toBe(false);
    await second.ledger.lock('c1');
    await second.complete();

    expect(tables.statements).toEqual(['lock c1', 'recorded m1', 'lock c1']);
    expect(tables.entries).toEqual([]);
  });

  it('knows an entry is recorded once appended, or once found, and asks about each id once', async () => {
    tables.entries.push({
      id: 'old',
      conversationId: 'c1',
      seq: 4,
      authorId: 'cu-1',
      authorRole: 'customer',
      type: 'message',
      createdAt: new Date(),
    });
    const unit = tables.unitOfWork();
    await unit.ledger.recall(['old', 'new', 'old']);
    expect(await unit.ledger.isRecorded('old')).toBe(true);
    expect(await unit.ledger.isRecorded('new')).toBe(false);

    unit.ledger.append(await locked(unit, 'c1'), 'new', customer(), 'message', 'now');
    expect(await unit.ledger.isRecorded('new')).toBe(true);
    expect(tables.statements.filter((s) => s.startsWith('recorded'))).toEqual(['recorded old,new']);
  });
});
