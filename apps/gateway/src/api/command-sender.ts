import { Injectable } from '@nestjs/common';
import type { PubAck } from '@nats-io/jetstream';
import { Command, CommandBody, Principal } from '@parley/contracts';
import { APPLIED_NOTICE_HEADER, JetStreamPublisher } from '@parley/jetstream';

/** A command class: its subject, and the shape of its instances. */
export interface CommandType<C extends Command> {
  readonly subject: string;
  prototype: C;
}

/**
 * Publishes a command to its owning service. Resolves only after JetStream stored it, which is
 * what makes a 202 a promise; the msgId lets JetStream drop a retried command. `notice` is the
 * subject the owning service tells once the command is applied or rejected (`Prefer: wait`).
 */
@Injectable()
export class CommandSender {
  constructor(private readonly publisher: JetStreamPublisher) {}

  async send<C extends Command>(
    command: CommandType<C>,
    body: CommandBody<C>,
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
