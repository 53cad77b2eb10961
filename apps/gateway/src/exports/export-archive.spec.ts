import type { ExportedMessage, ExportRequest } from '@parley/contracts';
import yauzl from 'yauzl';
import type { AttachmentStore } from '../attachments/attachment-store';
import { archivePath, ExportArchive, exportDocument, type ExportDocument } from './export-archive';
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

/** Every entry of a zip, uncompressed, by its path. */
function unzip(bytes: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(bytes, { lazyEntries: true }, (error, zip) => {
      if (error || !zip) return reject(error ?? new Error('not a zip'));
      const files = new Map<string, Buffer>();
      zip.on('entry', (entry: yauzl.Entry) =>
        zip.openReadStream(entry, (failed, stream) => {
          if (failed || !stream) return reject(failed ?? new Error(entry.fileName));
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('end', () => {
            files.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        }),
      );
      zip.on('end', () => resolve(files));
      zip.readEntry();
    });
  });
}

describe('ExportArchive', () => {
  const objects: Record<string, { conversationId: string; bytes: Buffer }> = {
    f1: { conversationId: 'k1', bytes: Buffer.from('the receipt') },
    f2: { conversationId: 'k2', bytes: Buffer.alloc(200_000, 7) },
    // Uploaded into someone else's conversation: a part naming it does not bring it in.
    f3: { conversationId: 'elsewhere', bytes: Buffer.from('not theirs') },
  };
  const store = {
    find: (id: string) =>
      Promise.resolve(objects[id] && { metadata: { conversationId: objects[id].conversationId } }),
    get: (id: string) => Promise.resolve(objects[id] && { data: new Blob([objects[id].bytes]).stream() }),
  } as unknown as AttachmentStore;
  const file = (id: string, name: string) => ({ id, name, contentType: 'text/plain' as const, size: 1 });

  it('zips the document and each file of the customer’s conversations, once', async () => {
    const zip = new ExportArchive(store).stream(
      request,
      parts([
        message('m1', 'k1', { attachments: [file('f1', 'receipt.txt'), file('f3', 'other.txt')] }),
        message('m2', 'k2', { attachments: [file('f2', 'big.bin')] }),
      ]),
    );
    const chunks: Buffer[] = [];
    for await (const chunk of zip) chunks.push(chunk as Buffer);
    const files = await unzip(Buffer.concat(chunks));
    expect([...files.keys()]).toEqual([
      'export.json',
      'attachments/f1-receipt.txt',
      'attachments/f2-big.bin',
    ]);
    expect(files.get('attachments/f1-receipt.txt')).toEqual(objects.f1.bytes);
    expect(files.get('attachments/f2-big.bin')).toEqual(objects.f2.bytes);
    const document = JSON.parse(files.get('export.json')?.toString('utf8') ?? '{}') as ExportDocument;
    expect(document.conversations[0].messages[0].attachments.map((a) => a.file)).toEqual([
      'attachments/f1-receipt.txt',
      null,
    ]);
  });
});
