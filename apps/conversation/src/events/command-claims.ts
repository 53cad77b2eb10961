import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { jetstreamManager } from '@nats-io/jetstream';
import { NatsConnection } from '@nats-io/nats-core';
import { Durables } from '@parley/contracts';
import { NATS_CONNECTION } from '@parley/jetstream';
import { DataSource } from 'typeorm';

const PRUNE_EVERY_MS = 60 * 60 * 1000;
/** Rows deleted per statement, so that a first pruning of a long history holds no lock for long. */
const CHUNK = 10_000;

/**
 * `processed_commands` keeps a claim per handled command so that a redelivery changes nothing. A
 * claim matters only while JetStream can deliver its command again: once the command stream has
 * let it go (PARLEY_COMMAND_RETENTION_DAYS), no consumer, not even one created anew from the
 * start, can see it. Claims below the stream's first sequence are deleted at start and every hour;
 * without this the table grew by a row for every command ever handled. Claims above its last
 * sequence are deleted at start (`forgetBeyondStream`), and reported.
 */
@Injectable()
export class CommandClaims implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(CommandClaims.name);
  private timer?: NodeJS.Timeout;
  private pruning: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: DataSource,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
  ) {}

  /** Before the consumer starts (Nest awaits this in `init`), so no command meets a stale claim. */
  async onApplicationBootstrap(): Promise<void> {
    try {
      const forgotten = await this.forgetBeyondStream();
      if (forgotten) {
        this.log.error(
          `the command stream is behind its claims (restored from an older backup, or created anew): ` +
            `forgot ${forgotten} claims above its last sequence, which new commands will be given`,
        );
      }
    } catch (error) {
      this.log.warn(`claims not checked against the stream: ${(error as Error).message}`);
    }
    const prune = () => {
      this.pruning = this.forgetUndeliverable()
        .then((deleted) => {
          if (deleted) this.log.log(`forgot ${deleted} claims of commands the stream no longer holds`);
        })
        .catch((error: Error) => this.log.warn(`claims not pruned: ${error.message}`));
    };
    prune();
    this.timer = setInterval(prune, PRUNE_EVERY_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.pruning;
  }

  /**
   * A stream only moves forward, so a claim above its last sequence means it went back: restored
   * from a backup older than the database, or deleted and created anew. Its next commands get those
   * sequences: a claim that recorded its command's id tells them apart, one made before ids were
   * recorded would have them skipped. No command the stream holds has those sequences, so the
   * claims are deleted either way. The highest claim is read before the stream, so a command
   * claimed in between cannot look like one.
   */
  async forgetBeyondStream(): Promise<number> {
    const [{ highest }]: Array<{ highest: string | null }> = await this.db.query(
      'SELECT max(stream_seq)::text AS highest FROM conversation.processed_commands',
    );
    const { last_seq: last } = await this.commandStream();
    if (highest === null || BigInt(highest) <= BigInt(last)) return 0;
    return this.deleteClaims('stream_seq > $1', last);
  }

  /** Deletes the claims of commands below the command stream's first sequence; returns how many. */
  async forgetUndeliverable(): Promise<number> {
    const { first_seq: first } = await this.commandStream();
    let deleted = 0;
    for (;;) {
      const n = await this.deleteClaims(
        `stream_seq IN (SELECT stream_seq FROM conversation.processed_commands WHERE stream_seq < $1 LIMIT ${CHUNK})`,
        first,
      );
      deleted += n;
      if (n < CHUNK) return deleted;
    }
  }

  private async commandStream() {
    const jsm = await jetstreamManager(this.nc);
    return (await jsm.streams.info(Durables.conversationCommands.stream)).state;
  }

  /** Deletes the claims `where` selects (with `seq` as $1); returns how many. */
  private async deleteClaims(where: string, seq: number): Promise<number> {
    const [{ n }]: Array<{ n: number }> = await this.db.query(
      `WITH gone AS (DELETE FROM conversation.processed_commands WHERE ${where} RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [seq],
    );
    return n;
  }
}
