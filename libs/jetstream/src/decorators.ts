import { applyDecorators, UseFilters } from '@nestjs/common';
import { EventPattern, MessagePattern } from '@nestjs/microservices';
import { DomainEvent, eventSubject, EventType } from '@parley/contracts';
import { RethrowRpcErrors } from './rethrow-rpc-errors';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type PayloadClass = new (...args: any[]) => object;

/** Handles a command taken from the owning service's durable consumer; the payload is validated first. */
export function HandleCommand(command: PayloadClass & { subject: string }): MethodDecorator {
  return applyDecorators(EventPattern(command.subject, { schema: command }), UseFilters(RethrowRpcErrors));
}

/** Handles domain events of the given types, validated as a `DomainEvent` envelope. */
export function HandleEvent(...types: EventType[]): MethodDecorator {
  return applyDecorators(
    EventPattern(types.map(eventSubject), { schema: DomainEvent }),
    UseFilters(RethrowRpcErrors),
  );
}

/** Answers a request/reply query; replicas share the load through a queue group. */
export function AnswerQuery(subject: string): MethodDecorator {
  return applyDecorators(MessagePattern(subject), UseFilters(RethrowRpcErrors));
}
