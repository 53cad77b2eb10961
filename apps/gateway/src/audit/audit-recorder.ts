import { Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { randomUUID } from 'node:crypto';
import { RecordAudit } from '@parley/contracts';
import { JetStreamPublisher } from '@parley/jetstream';
import { TtlCache } from '../api/ttl-cache';

/**
 * How long a repeated read is recorded once. The console reloads an open conversation and its
 * messages on every event; one entry a minute per agent and conversation still says who read it
 * and when, without an entry per reload. Per gateway process: behind N processes, up to N.
 */
export const REPEAT_WINDOW_MS = 60_000;
/** Distinct repeats remembered at once; beyond that the oldest is forgotten (and recorded again). */
const REPEATS_REMEMBERED = 50_000;

export type AuditRecord = Omit<RecordAudit, 'id' | 'at'>;

/**
 * Publishes `audit.record` commands and resolves once JetStream stored them (PubAck), which is
 * what lets a request be answered: an action is never answered unaudited.
 */
@Injectable()
export class AuditRecorder {
  private readonly repeats = new TtlCache<Promise<void>>(REPEATS_REMEMBERED);

  constructor(private readonly publisher: JetStreamPublisher) {}

  /** Stores the entry; with `collapseRepeats`, once per actor, action and subject in the window. */
  record(entry: AuditRecord, { collapseRepeats = false } = {}): Promise<void> {
    if (!collapseRepeats) return this.publish(entry);
    const key = JSON.stringify([entry.action, entry.actor, entry.subject]);
    const earlier = this.repeats.get(key);
    if (earlier) return earlier;
    const stored = this.publish(entry);
    this.repeats.set(key, stored, Date.now() + REPEAT_WINDOW_MS);
    // A repeat of a read whose entry was not stored must try again, not count as recorded.
    stored.catch(() => this.repeats.get(key) === stored && this.repeats.set(key, stored, 0));
    return stored;
  }

  private async publish(entry: AuditRecord): Promise<void> {
    const record: RecordAudit = { id: randomUUID(), at: new Date().toISOString(), ...entry };
    // History would dead-letter it, and the action would go unaudited: a route's fault, made loud here.
    const problems = validateSync(plainToInstance(RecordAudit, record));
    if (problems.length)
      throw new Error(`audit record of ${entry.action} is invalid: ${problems.join('; ')}`);
    await this.publisher.publish(RecordAudit.subject, record, record.id);
  }
}
