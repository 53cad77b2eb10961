/**
 * The audit trail's chain against a real PostgreSQL migrated as history migrates it: two writers
 * with pools of their own (two history processes, as during a lease handover) append at once and
 * still make one chain; a redelivered record appends nothing; pages filter and page by seq; the
 * walk finds what was changed and what was cut off.
 */
import { AuditPage, RecordAudit } from '@parley/contracts';
import { openServiceDataSource } from '@parley/persistence';
import { createDatabase, TestDatabase } from '@parley/testing';
import { DataSource } from 'typeorm';
import { AuditTrailRepository } from '../src/audit/audit-trail.repository';
import { HISTORY_MIGRATIONS } from '../src/history-schema';

let database: TestDatabase;
let first: DataSource;
let second: DataSource;
let trail: AuditTrailRepository;
let other: AuditTrailRepository;

const open = () =>
  openServiceDataSource({
    url: database.url,
    statementTimeoutMs: 30_000,
    schema: 'history',
    entities: [],
    migrations: HISTORY_MIGRATIONS,
  });

let serial = 0;
const record = (overrides: Partial<RecordAudit> = {}): RecordAudit => {
  serial += 1;
  return {
    id: `entry-${serial}`,
    at: new Date(Date.UTC(2026, 11, 1, 0, 0, serial)).toISOString(),
    actor: { kind: 'agent', id: `agent-${serial % 3}` },
    action: 'conversation.read',
    subject: { kind: 'conversation', id: `c-${serial % 5}` },
    // Keys jsonb stores in another order, and numbers it writes its own way.
    details: { zeta: 1.5, alpha: [`x${serial}`], big: 1e21, flag: true, none: null },
    ...overrides,
  };
};

beforeAll(async () => {
  database = await createDatabase();
  first = await open();
  second = await open();
  trail = new AuditTrailRepository(first);
  other = new AuditTrailRepository(second);
});

afterAll(async () => {
  await first?.destroy();
  await second?.destroy();
  await database?.drop();
});

describe('the audit trail in PostgreSQL', () => {
  it('is empty and valid before anything happened', async () => {
    expect(await trail.verify()).toEqual({ valid: true, checked: 0, head: null });
  });

  it('makes one chain of batches two writers append at once, and appends a redelivered record once', async () => {
    const batches = Array.from({ length: 20 }, () => Array.from({ length: 5 }, () => record()));
    await Promise.all(batches.map((batch, i) => (i % 2 ? other : trail).append(batch)));
    const again = await other.append([...batches[3], record({ id: batches[3][0].id })]);
    expect(again).toEqual([]);

    const checked = await trail.verify();
    expect(checked).toEqual({ valid: true, checked: 100, head: { seq: 100, hash: expect.any(String) } });
    const rows = await first.query<{ seq: string }[]>('SELECT seq FROM history.audit_entries ORDER BY seq');
    expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    // Each batch stays together, in its order.
    for (const batch of batches) {
      const seqs = await first.query<{ seq: string }[]>(
        'SELECT seq FROM history.audit_entries WHERE id = ANY($1::text[]) ORDER BY seq',
        [batch.map((r) => r.id)],
      );
      const ids = await first.query<{ id: string }[]>(
        'SELECT id FROM history.audit_entries WHERE id = ANY($1::text[]) ORDER BY seq',
        [batch.map((r) => r.id)],
      );
      expect(Number(seqs[4].seq) - Number(seqs[0].seq)).toBe(4);
      expect(ids.map((r) => r.id)).toEqual(batch.map((r) => r.id));
    }
  });

  it('pages by any filter, newest first or in the chain’s order, without gaps or repeats', async () => {
    const all = async (query: Parameters<AuditTrailRepository['page']>[0]) => {
      const seen: AuditPage['items'] = [];
      let cursor: number | undefined;
      for (;;) {
        const page = await trail.page({ ...query, cursor });
        seen.push(...page.items);
        if (page.nextCursor === null) return seen;
        cursor = Number(page.nextCursor);
      }
    };
    const principal = { id: 'admin', role: 'admin' as const };
    const newest = await all({ principal, order: 'desc', limit: 7 });
    expect(newest.map((e) => e.seq)).toEqual(Array.from({ length: 100 }, (_, i) => 100 - i));
    const oldest = await all({ principal, order: 'asc', limit: 200 });
    expect(oldest.map((e) => e.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(oldest[0].details).toEqual({
      zeta: 1.5,
      alpha: [expect.any(String)],
      big: 1e21,
      flag: true,
      none: null,
    });

    const byActor = await all({
      principal,
      order: 'asc',
      limit: 10,
      actor: { kind: 'agent', id: 'agent-1' },
    });
    expect(byActor.length).toBe(oldest.filter((e) => e.actor.id === 'agent-1').length);
    expect(byActor.every((e) => e.actor.id === 'agent-1')).toBe(true);
    const bySubject = await all({
      principal,
      order: 'desc',
      limit: 10,
      subject: { kind: 'conversation', id: 'c-2' },
    });
    expect(bySubject.map((e) => e.id)).toEqual(
      oldest
        .filter((e) => e.subject?.id === 'c-2')
        .map((e) => e.id)
        .reverse(),
    );
    const inPeriod = await all({
      principal,
      order: 'asc',
      limit: 50,
      action: 'conversation.read',
      from: oldest[9].at,
      to: oldest[19].at,
    });
    expect(inPeriod.map((e) => e.seq)).toEqual(
      oldest.filter((e) => e.at >= oldest[9].at && e.at < oldest[19].at).map((e) => e.seq),
    );
    expect(await all({ principal, order: 'asc', limit: 5, action: 'site.configure' })).toEqual([]);
  });

  it('finds a changed entry, and a chain cut short of its head or of an anchor', async () => {
    const { head } = await trail.verify();
    await first.transaction(async (em) => {
      await em.query('SET LOCAL session_replication_role = replica');
      await em.query(`UPDATE history.audit_entries SET details = details || '{"zeta": 2}' WHERE seq = 42`);
    });
    expect(await trail.verify()).toMatchObject({ valid: false, checked: 41, firstInvalid: { seq: 42 } });
    await first.transaction(async (em) => {
      await em.query('SET LOCAL session_replication_role = replica');
      await em.query(`UPDATE history.audit_entries SET details = details || '{"zeta": 1.5}' WHERE seq = 42`);
      await em.query('DELETE FROM history.audit_entries WHERE seq = 100');
    });
    expect(await trail.verify()).toMatchObject({
      valid: false,
      checked: 99,
      firstInvalid: { seq: 100, id: null },
    });
    const [last] = await first.query<{ hash: string }[]>(
      'SELECT hash FROM history.audit_entries WHERE seq = 99',
    );
    await first.query('UPDATE history.audit_head SET seq = 99, hash = $1', [last.hash]);
    expect(await trail.verify()).toMatchObject({ valid: true, checked: 99 });
    expect(await trail.verify(head ?? undefined)).toMatchObject({
      valid: false,
      firstInvalid: { seq: 100, reason: expect.stringMatching(/anchor/) },
    });
    expect(await trail.verify({ seq: 50, hash: 'f'.repeat(64) })).toMatchObject({
      valid: false,
      firstInvalid: { seq: 50, reason: expect.stringMatching(/anchor/) },
    });
  });
});
