import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { WakeConversation } from '@parley/contracts';
import { JetStreamPublisher } from '@parley/jetstream';
import { DataSource } from 'typeorm';
import { ConversationRepository } from '../conversations/conversation.repository';

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
  private readonly conversations: ConversationRepository;

  constructor(
    db: DataSource,
    private readonly publisher: JetStreamPublisher,
  ) {
    this.conversations = new ConversationRepository(db);
  }

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
    const due = await this.conversations.dueSnoozes(500);
    await Promise.all(
      due.map(({ id, snoozeUntil: until }) => {
        const snoozeUntil = until.toISOString();
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
