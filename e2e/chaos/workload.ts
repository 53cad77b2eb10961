import { ParleySystem } from '@parley/testing';
import { Actor, clientOf } from '../support/actors';

export interface Participant {
  customer: Actor;
  conversationId: string;
}

export interface Attempt {
  body: string;
  conversationId: string;
  /** HTTP status, or 0 when no answer came (the gateway was down). */
  status: number;
  id?: string;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Steady load: every customer writes into their conversation, every agent answers in any of them,
 * customers keep reading and acking their inboxes. Each message body is unique, so the checker can
 * account for every attempt whatever its answer was.
 */
export class Workload {
  readonly attempts: Attempt[] = [];
  private running = false;
  private loops: Promise<void>[] = [];

  constructor(
    private readonly system: ParleySystem,
    private readonly participants: Participant[],
    private readonly agents: Actor[],
  ) {}

  start(): void {
    this.running = true;
    this.participants.forEach((p, i) => {
      this.loops.push(this.writer(`c${i}`, p.customer, () => p.conversationId));
      this.loops.push(this.reader(p.customer));
    });
    this.agents.forEach((agent, i) => {
      this.loops.push(
        this.writer(
          `a${i}`,
          agent,
          () => this.participants[Math.floor(Math.random() * this.participants.length)].conversationId,
        ),
      );
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  private async writer(name: string, author: Actor, conversation: () => string): Promise<void> {
    for (let n = 0; this.running; n++) {
      const conversationId = conversation();
      const body = `${name}-${n}`;
      const attempt: Attempt = { body, conversationId, status: 0 };
      this.attempts.push(attempt);
      try {
        const { data, response } = await clientOf(this.system, author).POST(
          '/v1/conversations/{id}/messages',
          {
            params: { path: { id: conversationId } },
            body: { body },
          },
        );
        attempt.status = response.status;
        if (response.status === 202) attempt.id = data?.id;
      } catch {
        attempt.status = 0;
      }
      await pause(20 + Math.random() * 60);
    }
  }

  private async reader(customer: Actor): Promise<void> {
    let cursor: string | undefined;
    while (this.running) {
      try {
        const api = clientOf(this.system, customer);
        const { data } = await api.GET('/v1/inbox', { params: { query: { limit: 100, cursor } } });
        if (data?.events.length && data.nextCursor) {
          cursor = data.nextCursor;
          await api.POST('/v1/inbox/ack', { body: { cursor } });
        }
      } catch {
        // the gateway is down: read again later
      }
      await pause(300);
    }
  }
}
