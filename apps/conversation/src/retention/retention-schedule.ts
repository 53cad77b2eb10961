import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { JetStreamPublisher } from '@parley/jetstream';
import { SERVICE_CONFIG } from '@parley/runtime';
import { DataSource } from 'typeorm';
import { ConversationEnv } from '../conversation.env';
import { retentionMetrics } from './retention-metrics';
import { RetentionRun } from './retention-run';
import { RetentionRepository } from './retention.repository';

/** How often every process looks whether a run is due (scheduled, or asked for by an admin). */
const LOOK_EVERY_MS = 2_000;

/** The advisory lock a run holds: one process runs at a time, whichever process looked first. */
const RUN_LOCK = 'parley:retention';

/**
 * Runs sites' retention policies: every PARLEY_RETENTION_INTERVAL_MINUTES, and soon after an admin
 * asks for a site's run. When the next run is due, and when each site last ran, is kept in
 * PostgreSQL, so a restart changes nothing; every process looks, and the one that takes the
 * advisory lock (on a connection of its own: it goes with the process) runs, the others see the
 * run done when they get the lock after it.
 */
@Injectable()
export class RetentionSchedule implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(RetentionSchedule.name);
  private readonly repository: RetentionRepository;
  private readonly intervalMs: number;
  private timer?: NodeJS.Timeout;
  private looking?: Promise<void>;
  private stopping = false;

  constructor(
    private readonly db: DataSource,
    private readonly publisher: JetStreamPublisher,
    @Inject(SERVICE_CONFIG) config: ConversationEnv,
  ) {
    this.repository = new RetentionRepository(db);
    this.intervalMs = config.PARLEY_RETENTION_INTERVAL_MINUTES * 60_000;
  }

  onApplicationBootstrap(): void {
    const tick = () => {
      this.looking = this.runIfDue()
        .catch((error: Error) => this.log.warn(`retention: ${error.message}`))
        .finally(() => {
          if (!this.stopping) this.timer = setTimeout(tick, LOOK_EVERY_MS);
        });
    };
    tick();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    await this.looking;
  }

  /** Runs what is due, if this process gets the lock; a cheap look when nothing is. */
  async runIfDue(now = new Date()): Promise<void> {
    const due = await this.repository.due(now);
    if (!due.scheduled && !due.requested) return;
    const runner = this.db.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }]: Array<{ locked: boolean }> = await runner.query(
        'SELECT pg_try_advisory_lock(hashtext($1)) AS locked',
        [RUN_LOCK],
      );
      if (!locked) return;
      try {
        await this.run(new RetentionRepository(runner), new Date());
      } finally {
        await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [RUN_LOCK]);
      }
    } finally {
      await runner.release();
    }
  }

  /** Under the lock: looks again (another process may just have run), then goes through the sites. */
  private async run(repository: RetentionRepository, now: Date): Promise<void> {
    const { scheduled } = await repository.due(now);
    const sites = await repository.sitesToRun(scheduled);
    if (!scheduled && !sites.length) return;
    const run = new RetentionRun(
      repository,
      (subject, command, msgId) => this.publisher.publish(subject, command, msgId),
      () => this.stopping,
    );
    const total = { conversations: 0, attachments: 0 };
    for (const site of sites) {
      if (this.stopping) return;
      const removed = await run.site(site, now);
      await repository.recordSiteRun(site.siteId, now, removed, site.runRequestedAt);
      total.conversations += removed.conversations;
      total.attachments += removed.attachments;
      this.log.log(
        `retention of site ${site.siteId}: removing ${removed.conversations} resolved conversations (older than ${site.resolvedConversationDays ?? '∞'} days) and ${removed.attachments} attachments (older than ${site.attachmentDays ?? '∞'} days)`,
      );
    }
    if (scheduled) await repository.recordScheduledRun(now, new Date(now.getTime() + this.intervalMs));
    retentionMetrics.runs.inc();
    retentionMetrics.lastRun.set(Date.now() / 1000);
    this.log.log(
      `retention run (${scheduled ? 'scheduled' : 'asked for'}): ${sites.length} sites, ${total.conversations} conversations and ${total.attachments} attachments issued for removal`,
    );
  }
}
