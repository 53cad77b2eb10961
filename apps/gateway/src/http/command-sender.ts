import { Injectable } from '@nestjs/common';
import { Principal } from '@parley/contracts';
import { JetStreamPublisher } from '@parley/jetstream';

/**
 * Publishes a command to its owning service. Resolves only after JetStream stored it, which is
 * what makes a 202 a promise; the msgId lets JetStream drop a retried command.
 */
@Injectable()
export class CommandSender {
  constructor(private readonly publisher: JetStreamPublisher) {}

  async send<T extends object>(
    command: { subject: string },
    body: T,
    issuedBy: Principal,
    msgId: string,
  ): Promise<void> {
    const payload = {
      ...body,
      issuedBy: { id: issuedBy.id, role: issuedBy.role },
      acceptedAt: new Date().toISOString(),
    };
    await this.publisher.publish(command.subject, payload, msgId);
  }
}
