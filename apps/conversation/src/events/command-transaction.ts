import { Injectable } from '@nestjs/common';
import { PubHeaders } from '@nats-io/jetstream';
import { DomainEvent, eventSubject } from '@parley/contracts';
import { JetStreamContext } from '@parley/jetstream';
import { Outbox } from '@parley/persistence';
import { DataSource } from 'typeorm';
import { UnitOfWork } from './unit-of-work';

/**
 * What one command changes, given its transaction's unit of work and its stream sequence (the
 * cause of its events); returns the events, in the order they are published.
 */
export type CommandWork = (unit: UnitOfWork, cause: string) => Promise<DomainEvent<object>[]>;

/** What one command of a batch changes; see `CommandWork`. */
export type BatchedCommandWork<T> = (
  unit: UnitOfWork,
  command: T,
  cause: string,
) => Promise<DomainEvent<object>[]>;

/**
 * Handles commands exactly once: in one transaction it claims each command's stream sequence
 * (recording its `Nats-Msg-Id`), applies the changes in stream order (each command sees what the
 * one before it changed) and writes the resulting events to the outbox; after commit they are
 * published. A redelivered command finds its sequence claimed under its id and changes nothing. A
 * batch costs one commit and one flush, and its unit of work writes the ledger's appends set-wise
 * just before the commit.
 */
@Injectable()
export class CommandTransaction {
  constructor(
    private readonly db: DataSource,
    private readonly outbox: Outbox,
  ) {}

  run(ctx: JetStreamContext, work: CommandWork): Promise<void> {
    return this.runBatch(ctx, [undefined], (unit, _, cause) => work(unit, cause));
  }

  /**
   * `prepare` runs once in the transaction before the commands, e.g. to lock every row the batch
   * touches in one statement.
   */
  async runBatch<T>(
    ctx: JetStreamContext,
    commands: T[],
    work: BatchedCommandWork<T>,
    prepare?: (unit: UnitOfWork) => Promise<void>,
  ): Promise<void> {
    const causes = ctx.messages.map((m) => String(m.seq));
    const commandIds = ctx.messages.map((m) => m.headers?.get(PubHeaders.MsgIdHdr) || null);
    // A command sent again after JetStream's duplicate window (the same Idempotency-Key, so the
    // same id) comes back under a new sequence: it was applied under its first one, in this batch
    // or before it, and is not applied again.
    const firstOfId = new Set<string>();
    const candidates = causes.flatMap((cause, i) => {
      const id = commandIds[i];
      if (id && firstOfId.has(id)) return [];
      if (id) firstOfId.add(id);
      return [{ cause, id }];
    });
    const written = await this.db.transaction(async (em) => {
      // A claimed sequence is a redelivery only if it came with the same command id: a stream
      // created anew (or a new leader after a crash) can hand the sequence to another command.
      const claimed: Array<{ stream_seq: string }> = await em.query(
        `INSERT INTO conversation.processed_commands AS p (stream_seq, msg_id)
         SELECT c.seq, c.id FROM unnest($1::bigint[], $2::text[]) AS c (seq, id)
          WHERE c.id IS NULL OR NOT EXISTS (
            SELECT FROM conversation.processed_commands q WHERE q.msg_id = c.id AND q.stream_seq <> c.seq)
         ON CONFLICT (stream_seq) DO UPDATE SET msg_id = EXCLUDED.msg_id, processed_at = now()
          WHERE p.msg_id <> EXCLUDED.msg_id
         RETURNING stream_seq`,
        [candidates.map((c) => c.cause), candidates.map((c) => c.id)],
      );
      if (!claimed.length) return undefined;
      const fresh = new Set(claimed.map((row) => String(row.stream_seq)));
      const unit = UnitOfWork.in(em);
      const events: DomainEvent<object>[] = [];
      await prepare?.(unit);
      for (const [i, command] of commands.entries()) {
        if (fresh.has(causes[i])) events.push(...(await work(unit, command, causes[i])));
      }
      await unit.complete();
      return this.outbox.add(
        em,
        ...events.map((event) => ({ subject: eventSubject(event.type), payload: event, msgId: event.id })),
      );
    });
    if (written) await this.outbox.flush(written);
  }
}
