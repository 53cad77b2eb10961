import { applyDecorators, UseFilters } from '@nestjs/common';
import { EventPattern, MessagePattern } from '@nestjs/microservices';
import { DomainEvent, eventSubject, EventType } from '@parley/contracts';
import { RethrowRpcErrors } from './rethrow-rpc-errors';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type PayloadClass = new (...args: any[]) => object;

/**
 * Handles a command taken from the owning service's durable consumer; the payload is validated
 * first. Whoever asked to hear of it (`APPLIED_NOTICE_HEADER`) is told once it is applied or rejected.
 */
export function HandleCommand(command: PayloadClass & { subject: string }): MethodDecorator {
  return applyDecorators(
    EventPattern(command.subject, { schema: command, command: true }),
    UseFilters(RethrowRpcErrors),
  );
}

/** Handles domain events of the given types, validated as a `DomainEvent` envelope. */
export function HandleEvent(...types: EventType[]): MethodDecorator {
  return applyDecorators(
    EventPattern(types.map(eventSubject), { schema: DomainEvent }),
    UseFilters(RethrowRpcErrors),
  );
}

/**
 * Handles domain events of the given types in batches: the method receives `DomainEvent[]`, the
 * consecutive messages of those types already pulled (up to the consumer's `maxBatch`), in stream
 * order, and all of them are acked once it resolves. When it throws, each event is retried alone.
 */
export function HandleEventBatch(...types: EventType[]): MethodDecorator {
  return applyDecorators(
    EventPattern(types.map(eventSubject), { schema: DomainEvent, batch: true }),
    UseFilters(RethrowRpcErrors),
  );
}

/** Like `HandleCommand`, for a batch of commands of one kind (see `HandleEventBatch`). */
export function HandleCommandBatch(command: PayloadClass & { subject: string }): MethodDecorator {
  return applyDecorators(
    EventPattern(command.subject, { schema: command, batch: true, command: true }),
    UseFilters(RethrowRpcErrors),
  );
}

/** Answers a request/reply query; replicas share the load through a queue group. */
export function AnswerQuery(subject: string): MethodDecorator {
  return applyDecorators(MessagePattern(subject), UseFilters(RethrowRpcErrors));
}
