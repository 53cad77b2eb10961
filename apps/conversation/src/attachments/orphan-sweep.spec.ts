import type { DataSource } from 'typeorm';
import { ConversationEnv } from '../conversation.env';
import type { AttachmentCatalog, AttachmentObject } from './attachment-catalog';
import { OrphanSweep } from './orphan-sweep';

const HOUR = 3600_000;
const NOW = Date.parse('2026-12-07T12:00:00Z');

/** `conversation.attachments` as its upserts behave: the first row for an id stays, and is returned. */
class ReferenceTable {
  readonly rows = new Map<string, string | null>();

  async query(_sql: string, [id, , messageId = null]: [string, string, (string | null)?]) {
    if (!this.rows.has(id)) this.rows.set(id, messageId);
    return [{ id, message_id: this.rows.get(id) }];
  }
}

function setUp(objects: Array<{ name: string; ageHours: number }>) {
  const table = new ReferenceTable();
  const deleted: string[] = [];
  const catalog = {
    all: async () =>
      objects.map(
        (o) =>
          ({
            name: o.name,
            mtime: new Date(NOW - o.ageHours * HOUR).toISOString(),
            metadata: { conversationId: 'c1' },
          }) as AttachmentObject,
      ),
    delete: async (id: string) => void deleted.push(id),
  } as unknown as AttachmentCatalog;
  const sweep = new OrphanSweep(table as unknown as DataSource, catalog, {
    PARLEY_ATTACHMENT_ORPHAN_HOURS: 24,
  } as ConversationEnv);
  return { sweep, table, deleted };
}

describe('OrphanSweep', () => {
  it('deletes attachments no message took within the limit, and leaves younger ones', async () => {
    const { sweep, table, deleted } = setUp([
      { name: 'old', ageHours: 25 },
      { name: 'young', ageHours: 2 },
    ]);

    expect(await sweep.sweep(NOW)).toBe(1);

    expect(deleted).toEqual(['old']);
    // Its tombstone: a message naming it later is rejected.
    expect(table.rows.get('old')).toBeNull();
    expect(table.rows.has('young')).toBe(false);
  });

  it('keeps an old attachment a message took', async () => {
    const { sweep, table, deleted } = setUp([{ name: 'taken', ageHours: 48 }]);
    table.rows.set('taken', 'm1');

    expect(await sweep.sweep(NOW)).toBe(0);
    expect(deleted).toEqual([]);
  });

  it('deletes again one whose earlier delete failed after the claim', async () => {
    const { sweep, table, deleted } = setUp([{ name: 'claimed', ageHours: 30 }]);
    table.rows.set('claimed', null);

    await sweep.sweep(NOW);
    expect(deleted).toEqual(['claimed']);
  });
});
