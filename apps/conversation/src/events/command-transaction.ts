import { Injectable } from '@nestjs/common';
import { DomainEvent, eventSubject } from '@parley/contracts';
import { JetStreamContext } from '@parley/jetstream';
import { Outbox } from '@parley/persistence';
import { DataSource, EntityManager } from 'typeorm';

export type CommandWork = (em: EntityManager, events: DomainEvent<object>[], cause: string) => Promise<void>;

/**
 * Handles one command exactly once: in one transaction it claims the command's stream sequence,
 * applies the change and writes the resulting events to the outbox; after commit they are
 * published. A redelivered command finds its sequence claimed and changes nothing.
 */
@Injectable()
export class CommandTransaction {
  constructor(
    private readonly db: DataSource,
    private readonly outbox: Outbox,
  ) {}

  async run(ctx: JetStreamContext, work: CommandWork): Promise<void> {
    const cause = String(ctx.message.seq);
    const applied = await this.db.transaction(async (em) => {
      const claimed = await em.query(
        'INSERT INTO conversation.processed_commands (stream_seq) VALUES ($1) ON CONFLICT DO NOTHING RETURNING stream_seq',
        [cause],
      );
      if (!claimed.length) return false;
      const events: DomainEvent<object>[] = [];
      await work(em, events, cause);
      await this.outbox.add(
        em,
        ...events.map((event) => ({ subject: eventSubject(event.type), payload: event, msgId: event.id })),
      );
      return true;
    });
    if (applied) await this.outbox.flush();
  }
}
