import { BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { PubHeaders } from '@nats-io/jetstream';
import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import type { FastifyReply } from 'fastify';
import { DomainEvent, eventSubject } from '@parley/contracts';
import { NATS_CONNECTION } from '@parley/jetstream';

/** The most a request may wait with `Prefer: wait=N` (the API contract's bound). */
export const MAX_WAIT_SECONDS = 30;

/**
 * The seconds of a `Prefer: wait=N` header (RFC 7240: comma-separated preferences, names without
 * case), at most 30, or undefined when there is none or it cannot be read (then it is ignored).
 */
export function preferredWait(prefer: string | undefined): number | undefined {
  for (const preference of (prefer ?? '').split(',')) {
    const match = /^\s*wait\s*=\s*"?(\d{1,6})"?\s*(;.*)?$/i.exec(preference);
    if (match) return Math.min(Number(match[1]), MAX_WAIT_SECONDS) || undefined;
  }
  return undefined;
}

/** An event this request is waiting for: its type (the subject it comes on) and its id. */
export interface ExpectedEvent {
  type: string;
  id: string;
}

/**
 * Lets a write answer once its command has been applied (`Prefer: wait`): the owning service
 * publishes the resulting event to JetStream, and core NATS hands it to subscribers of its subject
 * too. A subject is subscribed to only while a request waits on it, and events are told apart by
 * their id in the `Nats-Msg-Id` header, so none is parsed unless someone waits for it.
 */
@Injectable()
export class AppliedEvents implements BeforeApplicationShutdown {
  private readonly subscriptions = new Map<string, { subscription: Subscription; waiting: number }>();
  private readonly waiters = new Map<string, Set<(event: DomainEvent | undefined) => void>>();

  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection) {}

  /**
   * Answers a write as `Prefer` asks: without `wait`, `accepted` once `send` is done (202); with
   * `wait=N`, what `applied` makes of the first expected event (201, `Preference-Applied`), or
   * `accepted` if N seconds pass first. `applied` may throw, e.g. for a rejection.
   */
  async answer<D extends object, A, R>(write: {
    prefer: string | undefined;
    reply: FastifyReply;
    expected: ExpectedEvent[];
    send: () => Promise<void>;
    accepted: A;
    applied: (event: DomainEvent<D>) => R | Promise<R>;
  }): Promise<A | R> {
    const wait = preferredWait(write.prefer);
    if (wait === undefined) {
      await write.send();
      return write.accepted;
    }
    const event = await this.sendAndWait<D>(write.expected, wait, write.send);
    if (!event) return write.accepted;
    write.reply.header('preference-applied', `wait=${wait}`);
    const result = await write.applied(event);
    write.reply.status(201);
    return result;
  }

  /**
   * Subscribes for `expected`, then runs `send` (which publishes the command: on the same
   * connection, so the subscription reaches the server first and the event cannot slip past), and
   * resolves with the first expected event, or undefined when `seconds` run out first.
   */
  private async sendAndWait<T extends object>(
    expected: ExpectedEvent[],
    seconds: number,
    send: () => Promise<void>,
  ): Promise<DomainEvent<T> | undefined> {
    let settle: (event: DomainEvent | undefined) => void = () => undefined;
    const applied = new Promise<DomainEvent | undefined>((resolve) => (settle = resolve));
    for (const { type, id } of expected) {
      this.subscribe(eventSubject(type));
      const forId = this.waiters.get(id) ?? new Set();
      forId.add(settle);
      this.waiters.set(id, forId);
    }
    const timer = setTimeout(() => settle(undefined), seconds * 1000);
    try {
      await send();
      return (await applied) as DomainEvent<T> | undefined;
    } finally {
      clearTimeout(timer);
      for (const { type, id } of expected) {
        const forId = this.waiters.get(id);
        forId?.delete(settle);
        if (!forId?.size) this.waiters.delete(id);
        this.unsubscribe(eventSubject(type));
      }
    }
  }

  /** Waiting requests answer 202 at shutdown rather than hold the HTTP server open. */
  beforeApplicationShutdown(): void {
    for (const forId of this.waiters.values()) for (const settle of forId) settle(undefined);
  }

  private subscribe(subject: string): void {
    const held = this.subscriptions.get(subject);
    if (held) {
      held.waiting++;
      return;
    }
    const subscription = this.nc.subscribe(subject, {
      callback: (error, msg) => {
        const id = error ? undefined : msg.headers?.get(PubHeaders.MsgIdHdr);
        const forId = id ? this.waiters.get(id) : undefined;
        if (!forId) return;
        const event = msg.json<DomainEvent>();
        for (const settle of forId) settle(event);
      },
    });
    this.subscriptions.set(subject, { subscription, waiting: 1 });
  }

  private unsubscribe(subject: string): void {
    const held = this.subscriptions.get(subject);
    if (!held || --held.waiting > 0) return;
    held.subscription.unsubscribe();
    this.subscriptions.delete(subject);
  }
}
