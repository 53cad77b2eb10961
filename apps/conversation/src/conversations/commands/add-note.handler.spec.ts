import {
  ACCEPTED_AT,
  agentIssuer,
  appliedDirectly,
  InMemoryTables,
  storedConversation,
  summaryOf,
} from '../../../test/in-memory-unit-of-work';
import { AddNoteHandler } from './add-note.handler';

const handler = new AddNoteHandler(appliedDirectly);
const note = {
  conversationId: 'c1',
  noteId: 'n1',
  body: 'call back at 5',
  issuedBy: agentIssuer(),
  acceptedAt: ACCEPTED_AT,
};

describe('AddNoteHandler', () => {
  it('files a private note under the next seq, once, without changing what lists preview', async () => {
    const tables = new InMemoryTables();
    storedConversation(tables, { id: 'c1', lastSeq: 2, lastMessagePreview: 'hello' });
    const unit = tables.unitOfWork();

    const events = await handler.apply(unit, note);
    const again = await handler.apply(unit, note);
    await unit.complete();

    expect(summaryOf(events)).toEqual(['note.created c1']);
    expect(events[0]).toMatchObject({
      id: 'note.created:n1',
      data: { type: 'note', seq: 3, body: 'call back at 5' },
    });
    expect(again).toEqual([]);
    expect(tables.conversation('c1')).toMatchObject({ lastSeq: 3, lastMessagePreview: 'hello' });
  });
});
