import type { ContentKeys, ContentScope } from '@parley/jetstream';
import { ExpireConversation } from '@parley/contracts';
import {
  ACCEPTED_AT,
  appliedDirectly,
  InMemoryTables,
  storedConversation,
} from '../../test/in-memory-unit-of-work';
import type { AttachmentCatalog } from '../attachments/attachment-catalog';
import { RetentionHandlers } from './retention.handlers';

const DAY = 86_400_000;
const CUTOFF = new Date('2026-11-01T00:00:00Z');

describe('RetentionHandlers', () => {
  let tables: InMemoryTables;
  let destroyed: ContentScope[];
  let handler: RetentionHandlers;
  const expire = (fields: Partial<ExpireConversation> = {}): ExpireConversation => ({
    conversationId: 'c1',
    siteId: 'site-1',
    resolvedBefore: CUTOFF.toISOString(),
    issuedBy: { id: 'retention', role: 'admin' },
    acceptedAt: ACCEPTED_AT,
    ...fields,
  });

  beforeEach(() => {
    tables = new InMemoryTables();
    destroyed = [];
    const keys = { destroy: async (scopes: ContentScope[]) => void destroyed.push(...scopes) };
    const catalog = { delete: async () => undefined } as unknown as AttachmentCatalog;
    handler = new RetentionHandlers(appliedDirectly, catalog, keys as ContentKeys);
  });

  it('removes a conversation resolved before the cutoff, destroys its key and says it was erased for retention', async () => {
    storedConversation(tables, {
      id: 'c1',
      status: 'resolved',
      siteId: 'site-1',
      resolvedAt: new Date(CUTOFF.getTime() - DAY),
    });

    const events = await handler.expireConversation(tables.unitOfWork(), expire(), '7');

    expect(events).toEqual([
      expect.objectContaining({
        id: 'conversation.erased:c1:7',
        type: 'conversation.erased',
        conversationId: 'c1',
        data: {
          conversationId: 'c1',
          customerId: 'cu-1',
          siteId: 'site-1',
          reason: 'retention',
          erasureId: null,
        },
      }),
    ]);
    expect(tables.conversations.has('c1')).toBe(false);
    expect(destroyed).toEqual([{ kind: 'conversation', id: 'c1' }]);
  });

  it.each([
    ['reopened since the run chose it', { status: 'open' as const, resolvedAt: null }],
    [
      'resolved again after the cutoff',
      { status: 'resolved' as const, resolvedAt: new Date(CUTOFF.getTime() + DAY) },
    ],
    [
      'of another site',
      { status: 'resolved' as const, siteId: 'site-2', resolvedAt: new Date(CUTOFF.getTime() - DAY) },
    ],
  ])('leaves a conversation %s', async (_, fields) => {
    storedConversation(tables, { id: 'c1', siteId: 'site-1', ...fields });

    expect(await handler.expireConversation(tables.unitOfWork(), expire(), '7')).toEqual([]);
    expect(tables.conversations.has('c1')).toBe(true);
    expect(destroyed).toEqual([]);
  });

  it('changes nothing for a conversation removed already', async () => {
    expect(await handler.expireConversation(tables.unitOfWork(), expire(), '8')).toEqual([]);
  });
});
