import { createHash } from 'node:crypto';
import type { AuditEntryView } from '@parley/contracts';

/** The `prevHash` of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** What an entry's hash covers: everything but the hashes themselves. */
export type ChainedFields = Omit<AuditEntryView, 'prevHash' | 'hash'>;

/**
 * JSON with object keys sorted at every level and no whitespace, so the same entry always gives the
 * same bytes, whichever order its fields were built or stored in (jsonb reorders keys).
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const fields = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${fields.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** sha256(prevHash + canonical JSON of the entry), hex. */
export function entryHash(prevHash: string, entry: ChainedFields): string {
  const { id, seq, at, actor, action, subject, details } = entry;
  return createHash('sha256')
    .update(prevHash + canonicalJson({ id, seq, at, actor, action, subject, details }))
    .digest('hex');
}

/** Entries appended after `head`, in order, each bound to the one before. */
export function chain(
  head: { seq: number; hash: string },
  entries: Omit<ChainedFields, 'seq'>[],
): AuditEntryView[] {
  let { seq, hash: prevHash } = head;
  return entries.map((entry) => {
    seq += 1;
    const fields = { ...entry, seq };
    const hash = entryHash(prevHash, fields);
    const chained = { ...fields, prevHash, hash };
    prevHash = hash;
    return chained;
  });
}

/** Where a walk of the chain stands: the last entry checked, and how many were. */
export interface Walk {
  seq: number;
  hash: string;
  checked: number;
}

/**
 * Checks the next entries of a walk: each must follow the one before without a gap, name its hash,
 * and hash to what it says. The first that does not is the answer, with why.
 */
export function checkLinks(
  walk: Walk,
  entries: AuditEntryView[],
): { seq: number; id: string; reason: string } | undefined {
  for (const entry of entries) {
    if (entry.seq !== walk.seq + 1)
      return { seq: entry.seq, id: entry.id, reason: `expected seq ${walk.seq + 1}: an entry is missing` };
    if (entry.prevHash !== walk.hash)
      return { seq: entry.seq, id: entry.id, reason: 'prevHash is not the hash of the entry before' };
    if (entryHash(entry.prevHash, entry) !== entry.hash)
      return { seq: entry.seq, id: entry.id, reason: 'the entry does not hash to its hash: it was altered' };
    walk.seq = entry.seq;
    walk.hash = entry.hash;
    walk.checked += 1;
  }
  return undefined;
}
