import { SaveReply } from '@parley/contracts';
import { ACCEPTED_AT, agentIssuer, appliedDirectly, InMemoryTables } from '../../test/in-memory-unit-of-work';
import { SavedRepliesHandlers } from './saved-replies.handlers';

const handler = new SavedRepliesHandlers(appliedDirectly);
const save = (replyId: string, scope: SaveReply['scope'], shortcut: string, agent = 'ag-1'): SaveReply => ({
  replyId,
  scope,
  shortcut,
  body: 'Hello {{customer.name}}',
  issuedBy: agentIssuer(agent),
  acceptedAt: ACCEPTED_AT,
});

describe('SavedRepliesHandlers', () => {
  it('keeps a shortcut unique within its scope: the team’s, and each agent’s own', async () => {
    const tables = new InMemoryTables();
    await handler.save(tables.unitOfWork(), save('r1', 'team', 'refund'));
    await handler.save(tables.unitOfWork(), save('r2', 'personal', 'refund'));
    await handler.save(tables.unitOfWork(), save('r3', 'personal', 'refund', 'ag-2'));

    await expect(handler.save(tables.unitOfWork(), save('r4', 'team', 'REFUND'))).rejects.toMatchObject({
      status: 409,
    });
    expect([...tables.savedReplies.values()].map((r) => [r.id, r.ownerId])).toEqual([
      ['r1', null],
      ['r2', 'ag-1'],
      ['r3', 'ag-2'],
    ]);
  });

  it("never lets an agent change or delete another agent's personal reply", async () => {
    const tables = new InMemoryTables();
    await handler.save(tables.unitOfWork(), save('r1', 'personal', 'refund'));
    const other = { issuedBy: agentIssuer('ag-2'), acceptedAt: ACCEPTED_AT };

    await expect(
      handler.change(tables.unitOfWork(), { ...other, replyId: 'r1', body: 'mine now' }),
    ).rejects.toMatchObject({ status: 404 });
    await expect(handler.delete(tables.unitOfWork(), { ...other, replyId: 'r1' })).rejects.toMatchObject({
      status: 404,
    });
    expect(tables.savedReplies.get('r1')?.body).toBe('Hello {{customer.name}}');
  });
});
