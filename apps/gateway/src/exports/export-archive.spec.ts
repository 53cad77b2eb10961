import type { ExportedMessage, ExportRequest } from '@parley/contracts';
import { archivePath, exportDocument } from './export-archive';
import type { ExportParts } from './export-store';

const request: ExportRequest = {
  exportId: 'e1',
  customerId: 'c1',
  requestedBy: { kind: 'customer', id: 'c1' },
  requestedAt: '2026-12-07T22:00:00.000Z',
};
const header = { exportId: 'e1', customerId: 'c1', writtenAt: '2026-12-07T22:00:01.000Z' };

const conversation = (id: string) => ({
  id,
  subject: null,
  status: 'open' as const,
  priority: 'normal' as const,
  assigneeId: null,
  team: null,
  siteId: null,
  labels: [],
  createdAt: '2026-12-07T21:00:00.000Z',
  lastMessageAt: '2026-12-07T21:00:00.000Z',
  snoozeUntil: null,
  lastSeq: 1,
  rating: null,
});

const message = (
  id: string,
  conversationId: string,
  extra: Partial<ExportedMessage> = {},
): ExportedMessage => ({
  id,
  conversationId,
  seq: 1,
  authorId: 'c1',
  authorRole: 'customer',
  internal: false,
  type: 'message',
  body: `body of ${id}`,
  via: 'api',
  createdAt: '2026-12-07T21:00:00.000Z',
  attachments: [],
  receipts: [],
  ...extra,
});

const parts = (messages: ExportedMessage[]): ExportParts => ({
  conversation: {
    ...header,
    customer: null,
    conversations: [conversation('k1'), conversation('k2')],
  },
  history: { ...header, messages },
  mail: { ...header, emails: [] },
});

describe('exportDocument', () => {
  it('lists each message once, under its own conversation', () => {
    const document = exportDocument(
      request,
      parts([message('m1', 'k1'), message('m2', 'k2'), message('m3', 'k1', { seq: 2 })]),
      new Set(),
    );
    expect(document.conversations.map((c) => [c.id, c.messages.map((m) => m.id)])).toEqual([
      ['k1', ['m1', 'm3']],
      ['k2', ['m2']],
    ]);
  });

  it('points each attachment at its file in the archive, or at nothing once the file is gone', () => {
    const kept = { id: 'f1', name: 'a/b.png', contentType: 'image/png' as const, size: 3 };
    const gone = { id: 'f2', name: 'gone.txt', contentType: 'text/plain' as const, size: 1 };
    const document = exportDocument(
      request,
      parts([message('m1', 'k1', { attachments: [kept, gone] })]),
      new Set(['f1']),
    );
    expect(document.conversations[0].messages[0].attachments).toEqual([
      { ...kept, file: 'attachments/f1-a_b.png' },
      { ...gone, file: null },
    ]);
    expect(archivePath(kept)).toBe('attachments/f1-a_b.png');
  });
});
