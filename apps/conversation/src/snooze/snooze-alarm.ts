import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { WakeConversation } from '@parley/contracts';
import { JetStreamPublisher } from '@parley/jetstream';
import { DataSource } from 'typeorm';

const TICK_MS = 1_000;

/**
 * Wakes snoozed conversations whose time has come, including those that came due while the
 * service was down (it looks at start, then every second). It only issues a WakeConversation
 * command, deduplicated per snooze; the command handler changes the conversation exactly once.
 */
@Injectable()
export class SnoozeAlarm implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(SnoozeAlarm.name);
  private timer?: NodeJS.Timeout;
  private ticking?: Promise<void>;

  constructor(
    private readonly db: DataSource,
    private readonly publisher: JetStreamPublisher,
  ) {}

  onApplicationBootstrap(): void {
    const tick = () => {
      this.ticking = this.wakeDue()
        .catch((error: Error) => this.log.warn(`snooze alarm: ${error.message}`))
        .finally(() => {
          this.timer = setTimeout(tick, TICK_MS);
        });
    };
    tick();
  }

  async onApplicationShutdown(): Promise<void> {
    clearTimeout(this.timer);
    await this.ticking;
    clearTimeout(this.timer);
  }

  async wakeDue(): Promise<void> {
    const due: Array<{ id: string; snooze_until: Date }> = await this.db.query(
      `SELECT id, snooze_until FROM conversation.conversations
        WHERE status = 'snoozed' AND snooze_until <= now() ORDER BY snooze_until LIMIT 500`,
    );
    await Promise.all(
      due.map(({ id, snooze_until }) => {
        const snoozeUntil = snooze_until.toISOString();
        const command: WakeConversation = {
          conversationId: id,
          snoozeUntil,
          issuedBy: { id: 'snooze-alarm', role: 'admin' },
          acceptedAt: new Date().toISOString(),
        };
        return this.publisher.publish(WakeConversation.subject, command, `wake:${id}:${snoozeUntil}`);
      }),
    );
  }
}
