import { Injectable } from '@nestjs/common';
import type { PubAck } from '@nats-io/jetstream';
import { Principal } from '@parley/contracts';
import { APPLIED_NOTICE_HEADER, JetStreamPublisher } from '@parley/jetstream';

/**
 * Publishes a command to its owning service. Resolves only after JetStream stored it, which is
 * what makes a 202 a promise; the msgId lets JetStream drop a retried command. `notice` is the
 * subject the owning service tells once the command is applied or rejected (`Prefer: wait`).
 */
@Injectable()
export class CommandSender {
  constructor(private readonly publisher: JetStreamPublisher) {}

  async send<T extends object>(
    command: { subject: string },
    body: T,
    issuedBy: Principal,
    msgId: string,
    notice?: string,
  ): Promise<PubAck> {
    const payload = {
      ...body,
      issuedBy: { id: issuedBy.id, role: issuedBy.role },
      acceptedAt: new Date().toISOString(),
    };
    const headers = notice ? { [APPLIED_NOTICE_HEADER]: notice } : undefined;
    return this.publisher.publish(command.subject, payload, msgId, undefined, headers);
  }
}
