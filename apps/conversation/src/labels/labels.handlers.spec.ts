import { DefineLabel, SetConversationLabels } from '@parley/contracts';
import {
  ACCEPTED_AT,
  agentIssuer,
  appliedDirectly,
  InMemoryTables,
  storedConversation,
} from '../../test/in-memory-unit-of-work';
import { LabelsHandlers } from './labels.handlers';

const handler = new LabelsHandlers(appliedDirectly);
const define = (labelId: string, name: string): DefineLabel => ({
  labelId,
  name,
  colour: '#d93f0b',
  issuedBy: { id: 'admin', role: 'admin' },
  acceptedAt: ACCEPTED_AT,
});
const set = (...labelIds: string[]): SetConversationLabels => ({
  conversationId: 'c1',
  labelIds,
  issuedBy: agentIssuer(),
  acceptedAt: ACCEPTED_AT,
});

describe('LabelsHandlers', () => {
  it('refuses a name another label has, whatever its case, and takes a retry of the same label', async () => {
    const tables = new InMemoryTables();
    await handler.define(tables.unitOfWork(), define('l1', 'Refund'));

    await expect(handler.define(tables.unitOfWork(), define('l1', 'Refund'))).resolves.toEqual([]);
    await expect(handler.define(tables.unitOfWork(), define('l2', 'refund'))).rejects.toMatchObject({
      status: 409,
    });
  });

  it('sets the whole set, leaves out deleted labels, and announces what was added and removed', async () => {
    const tables = new InMemoryTables();
    storedConversation(tables, { id: 'c1', assigneeId: 'ag-2', labels: ['l1'] });
    for (const [id, name] of [
      ['l1', 'refund'],
      ['l2', 'vip'],
      ['l3', 'bug'],
    ]) {
      await handler.define(tables.unitOfWork(), define(id, name));
    }

    const [changed] = await handler.set(tables.unitOfWork(), set('l2', 'gone', 'l3', 'l2'), '7');
    const same = await handler.set(tables.unitOfWork(), set('l2', 'l3'), '8');

    expect(changed).toMatchObject({
      id: 'conversation.labels_changed:c1:7',
      assigneeId: 'ag-2',
      data: {
        labels: [
          { id: 'l2', name: 'vip', colour: '#d93f0b' },
          { id: 'l3', name: 'bug', colour: '#d93f0b' },
        ],
        added: ['l2', 'l3'],
        removed: ['l1'],
        changedBy: 'ag-1',
      },
    });
    expect(same).toEqual([]);
    expect(tables.conversation('c1').labels).toEqual(['l2', 'l3']);
  });

  it('takes a deleted label off its conversations', async () => {
    const tables = new InMemoryTables();
    storedConversation(tables, { id: 'c1', labels: ['l1', 'l2'] });
    await handler.delete(tables.unitOfWork(), {
      labelId: 'l1',
      issuedBy: agentIssuer(),
      acceptedAt: ACCEPTED_AT,
    });
    expect(tables.conversation('c1').labels).toEqual(['l2']);
  });
});
