import { Injectable } from '@nestjs/common';
import type {
  AuditActorKind,
  AuditEntryView,
  AuditFact,
  AuditHead,
  AuditPage,
  AuditQuery,
  AuditVerification,
  RecordAudit,
} from '@parley/contracts';
import { DataSource, EntityManager } from 'typeorm';
import { chain, checkLinks, GENESIS_HASH, Walk } from './audit-chain';

interface AuditRow {
  seq: string;
  id: string;
  at: Date;
  actor_kind: AuditActorKind;
  actor_id: string | null;
  action: string;
  subject_kind: string | null;
  subject_id: string | null;
  details: Record<string, AuditFact>;
  prev_hash: string;
  hash: string;
}

const COLUMNS =
  'seq, id, at, actor_kind, actor_id, action, subject_kind, subject_id, details, prev_hash, hash';

/** Entries read per statement while the chain is walked. */
const WALK_PAGE = 2_000;

export function toAuditEntryView(row: AuditRow): AuditEntryView {
  return {
    id: row.id,
    seq: Number(row.seq),
    at: row.at.toISOString(),
    actor: { kind: row.actor_kind, id: row.actor_id },
    action: row.action,
    subject: row.subject_kind === null ? null : { kind: row.subject_kind, id: row.subject_id as string },
    details: row.details,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** The audit trail's SQL: appending to the chain under its head's row lock, pages, and the walk. */
@Injectable()
export class AuditTrailRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Appends the records not in the chain yet (a redelivered one is there already), in the order
   * given. The head's row lock makes appends one after another whichever process makes them.
   */
  async append(records: RecordAudit[]): Promise<AuditEntryView[]> {
    return this.db.transaction(async (em) => {
      const [head] = await em.query<{ seq: string; hash: string }[]>(
        'SELECT seq, hash FROM history.audit_head FOR UPDATE',
      );
      const known = new Set(
        (
          await em.query<{ id: string }[]>(
            'SELECT id FROM history.audit_entries WHERE id = ANY($1::text[])',
            [records.map((r) => r.id)],
          )
        ).map((r) => r.id),
      );
      const fresh: RecordAudit[] = [];
      for (const record of records) {
        if (known.has(record.id)) continue;
        known.add(record.id);
        fresh.push(record);
      }
      if (!fresh.length) return [];
      const entries = chain(
        { seq: Number(head.seq), hash: head.hash },
        fresh.map((r) => ({
          id: r.id,
          // As the database gives it back, so that the hash can be checked again from the row.
          at: new Date(r.at).toISOString(),
          actor: { kind: r.actor.kind, id: r.actor.id },
          action: r.action,
          subject: r.subject && { kind: r.subject.kind, id: r.subject.id },
          details: r.details,
        })),
      );
      await this.insert(em, entries);
      const last = entries[entries.length - 1];
      await em.query('UPDATE history.audit_head SET seq = $1, hash = $2', [last.seq, last.hash]);
      return entries;
    });
  }

  private async insert(em: EntityManager, entries: AuditEntryView[]): Promise<void> {
    const rows = entries.map((e) => ({
      seq: e.seq,
      id: e.id,
      at: e.at,
      actor_kind: e.actor.kind,
      actor_id: e.actor.id,
      action: e.action,
      subject_kind: e.subject?.kind ?? null,
      subject_id: e.subject?.id ?? null,
      details: e.details,
      prev_hash: e.prevHash,
      hash: e.hash,
    }));
    await em.query(
      `INSERT INTO history.audit_entries (${COLUMNS})
       SELECT ${COLUMNS} FROM jsonb_to_recordset($1::jsonb) AS r(
         seq bigint, id text, at timestamptz, actor_kind text, actor_id text, action text,
         subject_kind text, subject_id text, details jsonb, prev_hash text, hash text)`,
      [JSON.stringify(rows)],
    );
  }

  /** Entries matching every filter, newest first (`desc`) or in the chain's order (`asc`). */
  async page(query: AuditQuery): Promise<AuditPage> {
    const where: string[] = [];
    const params: unknown[] = [];
    const is = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (query.actor) {
      is('actor_kind = ?', query.actor.kind);
      if (query.actor.id !== undefined) is('actor_id = ?', query.actor.id);
    }
    if (query.subject) {
      is('subject_kind = ?', query.subject.kind);
      if (query.subject.id !== undefined) is('subject_id = ?', query.subject.id);
    }
    if (query.action !== undefined) is('action = ?', query.action);
    if (query.from !== undefined) is('at >= ?', query.from);
    if (query.to !== undefined) is('at < ?', query.to);
    const desc = query.order === 'desc';
    if (query.cursor !== undefined) is(desc ? 'seq < ?' : 'seq > ?', query.cursor);
    params.push(query.limit + 1);
    const rows = await this.db.query<AuditRow[]>(
      `SELECT ${COLUMNS} FROM history.audit_entries
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY seq ${desc ? 'DESC' : 'ASC'} LIMIT $${params.length}`,
      params,
    );
    const items = rows.slice(0, query.limit).map(toAuditEntryView);
    return {
      items,
      nextCursor: rows.length > query.limit ? String(items[items.length - 1].seq) : null,
    };
  }

  /**
   * Walks the whole chain in one snapshot, from the first entry to the head: a changed field, a
   * removed entry or a rewritten link is the first invalid entry; entries cut off the end show as a
   * head the chain no longer reaches. `anchor`, a head kept elsewhere, must still be in the chain.
   */
  async verify(anchor?: AuditHead): Promise<AuditVerification> {
    return this.db.transaction('REPEATABLE READ', async (em) => {
      const [stored] = await em.query<{ seq: string; hash: string }[]>(
        'SELECT seq, hash FROM history.audit_head',
      );
      const head = Number(stored.seq) ? { seq: Number(stored.seq), hash: stored.hash } : null;
      const walk: Walk = { seq: 0, hash: GENESIS_HASH, checked: 0 };
      let anchored = false;
      for (;;) {
        const rows = await em.query<AuditRow[]>(
          `SELECT ${COLUMNS} FROM history.audit_entries WHERE seq > $1 ORDER BY seq LIMIT $2`,
          [walk.seq, WALK_PAGE],
        );
        const entries = rows.map(toAuditEntryView);
        const broken = checkLinks(walk, entries);
        if (broken) return { valid: false, checked: walk.checked, firstInvalid: broken, head };
        if (anchor && !anchored && walk.seq >= anchor.seq) {
          const at = entries.find((e) => e.seq === anchor.seq);
          if (at?.hash !== anchor.hash)
            return {
              valid: false,
              checked: walk.checked,
              firstInvalid: {
                seq: anchor.seq,
                id: at?.id ?? null,
                reason: 'the entry differs from the anchor',
              },
              head,
            };
          anchored = true;
        }
        if (rows.length < WALK_PAGE) break;
      }
      const end = { seq: walk.seq + 1, id: null };
      if (anchor && !anchored)
        return {
          valid: false,
          checked: walk.checked,
          firstInvalid: {
            ...end,
            reason: `the chain ends at seq ${walk.seq}, before the anchor (seq ${anchor.seq})`,
          },
          head,
        };
      if ((head?.seq ?? 0) !== walk.seq || (head?.hash ?? GENESIS_HASH) !== walk.hash)
        return {
          valid: false,
          checked: walk.checked,
          firstInvalid: {
            ...end,
            reason: `the chain ends at seq ${walk.seq}, but its head is seq ${head?.seq ?? 0}`,
          },
          head,
        };
      return { valid: true, checked: walk.checked, head };
    });
  }
}
