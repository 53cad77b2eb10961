import { BeforeApplicationShutdown, HttpException, Inject, Injectable } from '@nestjs/common';
import { PubAck, PubHeaders } from '@nats-io/jetstream';
import { createInbox, type NatsConnection, type Subscription } from '@nats-io/nats-core';
import type { FastifyReply } from 'fastify';
import { anyPartitionSubject, DomainEvent, eventSubject } from '@parley/contracts';
import { AppliedNotice, ContentSeal, NATS_CONNECTION } from '@parley/jetstream';

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

/** How often a retried write's result is looked up while it is not found. */
const LOOK_UP_EVERY_MS = 250;

/** An event this request is waiting for: its type (the subject it comes on) and its id. */
export interface ExpectedEvent {
  type: string;
  id: string;
}

/** Publishes the command, asking the owning service to tell `notice` (a subject) how it went. */
export type SendCommand = (notice?: string) => Promise<PubAck>;

/**
 * What a waiting request heard: an expected event, the owning service's notice, or, for a command
 * JetStream already held, what looking the result up found (or the rejection it threw).
 */
type Heard =
  { event: DomainEvent } | { notice: AppliedNotice } | { found: unknown } | { refusal: unknown } | undefined;

type Settle = (heard: Heard) => void;

interface Waiting {
  prefer: string | undefined;
  reply: FastifyReply;
  send: SendCommand;
}

/**
 * Lets a write answer once its command has been applied (`Prefer: wait`). Two signals tell it:
 * - the event the command results in, for writes that create something (the owning service
 *   publishes it to JetStream, and core NATS hands it to subscribers of its subject too, its
 *   content sealed as in the stream and opened here). A subject
 *   is subscribed to only while a request waits on it, and events are told apart by their id in
 *   the `Nats-Msg-Id` header, so none is parsed unless someone waits for it;
 * - the owning service's notice (`APPLIED_NOTICE_HEADER`): applied, or rejected with a status and
 *   a reason. It answers changes, whose events cannot be named in advance and which may change
 *   nothing, and rejections. Notices come to one subscription per process, one subject per request.
 */
@Injectable()
export class PreferWaitCoordinator implements BeforeApplicationShutdown {
  private readonly subscriptions = new Map<string, { subscription: Subscription; waiting: number }>();
  private readonly waiters = new Map<string, Set<Settle>>();
  private readonly noticePrefix = createInbox();
  private noticeSubscription?: Subscription;
  private readonly noticeWaiters = new Map<string, (notice: AppliedNotice | undefined) => void>();
  private noticesAsked = 0;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly content: ContentSeal,
  ) {}

  /**
   * Answers a write that creates something as `Prefer` asks: without `wait`, `accepted` once the
   * command is sent (202); with `wait=N`, what `applied` makes of the first expected event (201,
   * `Preference-Applied`), the rejection as a problem, or `accepted` if N seconds pass first.
   * `applied` may throw, e.g. for a rejection the event reports.
   */
  async answer<D extends object, A, R>(
    write: Waiting & {
      expected: ExpectedEvent[];
      accepted: A;
      applied: (event: DomainEvent<D>) => R | Promise<R>;
      /**
       * The result as it stands, for a retried write (the same Idempotency-Key) whose command JetStream
       * already holds: its event may be long gone. Undefined while not applied (or not known yet);
       * throws the rejection.
       */
      lookUp: () => Promise<R | undefined>;
    },
  ): Promise<A | R> {
    const heard = await this.sendAndWait(write, write.expected, write.lookUp);
    if (!heard || 'notice' in heard || 'refusal' in heard) return write.accepted;
    const result = 'found' in heard ? (heard.found as R) : await write.applied(heard.event as DomainEvent<D>);
    write.reply.status(201);
    return result;
  }

  /**
   * Answers a change (status, assignment, read, ...) as `Prefer` asks: with `wait=N`, once the
   * owning service has applied it, what `applied` reads then (`status`, 200 unless the write
   * created something; `Preference-Applied`), even if the change changed nothing; otherwise as
   * `answer` does. For commands with one consuming service only: the first notice settles it.
   */
  async answerChange<A, R>(
    write: Waiting & { accepted: A; applied: () => R | Promise<R>; status?: 200 | 201 },
  ): Promise<A | R> {
    const heard = await this.sendAndWait(write, []);
    if (!heard) return write.accepted;
    const result = await write.applied();
    write.reply.status(write.status ?? 200);
    return result;
  }

  /**
   * Without `wait`, sends and hears nothing. With it: subscribes for the expected events and the
   * notice, then sends the command (on the same connection, so the subscriptions reach the server
   * first and nothing can slip past), and resolves with what settles the wait: an expected event,
   * the notice when no event is expected, or undefined when the seconds run out first. When
   * JetStream took the command as a duplicate of one sent earlier (whose notice went elsewhere),
   * `lookUp` may find the result; without it, a change is answered at once (202). A rejection
   * throws its problem. Whatever is heard sets `Preference-Applied`.
   */
  private async sendAndWait(
    { prefer, reply, send }: Waiting,
    expected: ExpectedEvent[],
    lookUp?: () => Promise<unknown>,
  ): Promise<Heard> {
    const wait = preferredWait(prefer);
    if (wait === undefined) {
      await send();
      return undefined;
    }
    let settle: Settle = () => undefined;
    const heard = new Promise<Heard>((resolve) => (settle = resolve));
    let done = false;
    void heard.then(() => (done = true));
    for (const { type, id } of expected) {
      this.subscribe(anyPartitionSubject(eventSubject(type)));
      const forId = this.waiters.get(id) ?? new Set();
      forId.add(settle);
      this.waiters.set(id, forId);
    }
    const notice = this.awaitNotice((outcome) => {
      if (!outcome) settle(undefined);
      else if (outcome.outcome === 'rejected' || !expected.length) settle({ notice: outcome });
      // Applied, yet the expected event may never come: a retry after JetStream's duplicate window
      // is applied as a no-op (its result exists already). Unless the event settles it first, the
      // result is looked up.
      else if (lookUp)
        setTimeout(() => {
          if (!done) void this.lookUntilFound(lookUp, heard, settle);
        }, LOOK_UP_EVERY_MS);
    });
    const timer = setTimeout(() => settle(undefined), wait * 1000);
    try {
      const ack = await send(notice);
      if (ack.duplicate && lookUp) void this.lookUntilFound(lookUp, heard, settle);
      else if (ack.duplicate && !expected.length) settle(undefined);
      const outcome = await heard;
      if (outcome) reply.header('preference-applied', `wait=${wait}`);
      if (outcome && 'refusal' in outcome) throw outcome.refusal;
      if (outcome && 'notice' in outcome && outcome.notice.outcome === 'rejected') {
        const { status, reason } = outcome.notice;
        throw new HttpException(reason, status >= 400 && status < 500 ? status : 422);
      }
      return outcome;
    } finally {
      clearTimeout(timer);
      this.noticeWaiters.delete(notice);
      for (const { type, id } of expected) {
        const forId = this.waiters.get(id);
        forId?.delete(settle);
        if (!forId?.size) this.waiters.delete(id);
        this.unsubscribe(anyPartitionSubject(eventSubject(type)));
      }
    }
  }

  /**
   * Looks the result up until it is found, the lookup refuses, or the wait is settled otherwise:
   * a retried write's first attempt may still be on its way through the services.
   */
  private async lookUntilFound(
    lookUp: () => Promise<unknown>,
    heard: Promise<Heard>,
    settle: Settle,
  ): Promise<void> {
    let settled = false;
    void heard.then(() => (settled = true));
    while (!settled) {
      try {
        const found = await lookUp();
        if (found !== undefined) return settle({ found });
      } catch (refusal) {
        return settle({ refusal });
      }
      await new Promise((resolve) => setTimeout(resolve, LOOK_UP_EVERY_MS));
    }
  }

  /** Waiting requests answer 202 at shutdown rather than hold the HTTP server open. */
  beforeApplicationShutdown(): void {
    for (const forId of this.waiters.values()) for (const settle of forId) settle(undefined);
    for (const heard of this.noticeWaiters.values()) heard(undefined);
  }

  /**
   * A subject of its own for one command's notice, heard through the process's one subscription;
   * `heard` gets undefined at shutdown.
   */
  private awaitNotice(heard: (notice: AppliedNotice | undefined) => void): string {
    this.noticeSubscription ??= this.nc.subscribe(`${this.noticePrefix}.*`, {
      callback: (error, msg) => {
        if (!error) this.noticeWaiters.get(msg.subject)?.(msg.json<AppliedNotice>());
      },
    });
    const subject = `${this.noticePrefix}.${++this.noticesAsked}`;
    this.noticeWaiters.set(subject, heard);
    return subject;
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
        // The event's content is sealed as it is in the stream: opened for the answer.
        void this.content.open(msg.subject, msg.json<DomainEvent>(), msg.headers).then(
          (event) => {
            for (const settle of forId) settle({ event: event as DomainEvent });
          },
          // Unopenable (its conversation was erased meanwhile): the wait ends as accepted.
          () => {
            for (const settle of forId) settle(undefined);
          },
        );
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
