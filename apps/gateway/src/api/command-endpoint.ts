import { applyDecorators, HttpCode, Injectable, Type } from '@nestjs/common';
import { ApiAcceptedResponse } from '@nestjs/swagger';
import type { Command, CommandBody, DomainEvent } from '@parley/contracts';
import { CommandSender, CommandType } from './command-sender';
import { ExpectedEvent, PreferWaitCoordinator } from './prefer-wait';
import { Write } from './write';

/** A command to send: its class, its body, and its Nats-Msg-Id (JetStream drops a repeat). */
export interface Outgoing<C extends Command> {
  type: CommandType<C>;
  body: CommandBody<C>;
  msgId: string;
}

/** The 202 a write answers once JetStream holds its command. */
export const AcceptedAnswer = (type: Type<unknown>, description?: string): MethodDecorator =>
  applyDecorators(HttpCode(202), ApiAcceptedResponse(description ? { type, description } : { type }));

/**
 * What every write endpoint does once its input is checked: sends its command as the caller and
 * answers as `Prefer` asks (see PreferWaitCoordinator), so an endpoint says only which command and
 * which answer.
 */
@Injectable()
export class CommandEndpoint {
  constructor(
    private readonly sender: CommandSender,
    private readonly preferWait: PreferWaitCoordinator,
  ) {}

  /** A write that creates something: 202 with `accepted`, or 201 with what its event makes. */
  create<C extends Command, D extends object, A, R>(
    write: Write,
    command: Outgoing<C>,
    answer: {
      expected: ExpectedEvent[];
      accepted: A;
      applied: (event: DomainEvent<D>) => R | Promise<R>;
      lookUp: () => Promise<R | undefined>;
    },
  ): Promise<A | R> {
    return this.preferWait.answer({ ...this.waiting(write, command), ...answer });
  }

  /** A change: 202 with `accepted`, or `status` (200) with what `applied` reads once it is applied. */
  change<C extends Command, A, R>(
    write: Write,
    command: Outgoing<C>,
    answer: { accepted: A; applied: () => R | Promise<R>; status?: 200 | 201 },
  ): Promise<A | R> {
    return this.preferWait.answerChange({ ...this.waiting(write, command), ...answer });
  }

  /** A write whose answer is `body` either way (a registration, an ack): 202, or `status` once applied. */
  confirm<C extends Command, B>(
    write: Write,
    command: Outgoing<C>,
    body: B,
    status: 200 | 201 = 200,
  ): Promise<B> {
    return this.preferWait.answerChange({
      ...this.waiting(write, command),
      accepted: body,
      applied: () => body,
      status,
    });
  }

  /** A write that does not honour `Prefer: wait`: answered once JetStream holds the command. */
  async send<C extends Command>(write: Write, command: Outgoing<C>): Promise<void> {
    await this.sender.send(command.type, command.body, write.principal, command.msgId);
  }

  private waiting<C extends Command>(write: Write, { type, body, msgId }: Outgoing<C>) {
    return {
      prefer: write.prefer,
      reply: write.reply,
      send: (notice?: string) => this.sender.send(type, body, write.principal, msgId, notice),
    };
  }
}
