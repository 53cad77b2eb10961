import { Logger } from '@nestjs/common';
import { CustomTransportStrategy, MessageHandler, Server } from '@nestjs/microservices';
import { Consumer, ConsumerMessages, jetstream, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { headers as natsHeaders, Msg, NatsConnection, Subscription } from '@nats-io/nats-core';
import { lastValueFrom } from 'rxjs';
import { unpartitionedSubject } from '@parley/contracts';
import { APPLIED_NOTICE_HEADER, AppliedNotice } from './applied-notice';
import { ContentKeyDestroyed, ContentSeal, SEALED_CONTENT_HEADER } from './content-seal';
import { DeadLetterHeaders, deadLetterSubject } from './dead-letter';
import { PayloadClass } from './decorators';
import { PermanentFailure, QueryRejected, RetryLater } from './errors';
import { JetStreamContext } from './jetstream.context';
import { GroupCommit } from './group-commit';
import { Fence, FencedOut, runFenced } from './lease-fence';
import { decodePayload, UndecodablePayload } from './payload';
import { ConsumerDefinition } from './provisioning';
import {
  CORRELATION_HEADER,
  runInSpan,
  runInTrace,
  TRACEPARENT_HEADER,
  traceFromHeaders,
} from './trace-context';

export interface JetStreamServerOptions {
  /** Durable pull consumers this process reads; each message goes to the handler of its subject. */
  consumers: ConsumerDefinition[];
  /** Queue group for query subscriptions, so replicas of one service share requests. */
  queryQueue: string;
  /** Deliveries after which a failing message is dead-lettered. */
  maxDeliver?: number;
  /** Delay before redelivery after the n-th failure; the last value repeats. */
  backoffMs?: number[];
  /** Messages pulled ahead per consumer. */
  batchSize?: number;
  /** How long close() waits for in-flight handlers. */
  drainTimeoutMs?: number;
  /** Makes one process at a time the consumer of an `ordered` durable (e.g. a database lease). */
  lease?: ConsumerLease;
  /**
   * Whether this build knows a subject. A message in a consumer's filter with no handler is acked
   * when its subject is known (the service does not care about it), and otherwise waits for a
   * process of a newer build (a rolling upgrade). Without this, every unhandled message is acked.
   */
  knowsSubject?: (subject: string) => boolean;
  /** How long a message no process could handle waits between offers (default 30 s). */
  unknownRetryMs?: number;
  /** Age after which a message no process could handle is dead-lettered (default 24 h). */
  unknownMaxAgeMs?: number;
  /**
   * How long a pull request of an ordered consumer lasts (default 5 s). Below the lease's TTL, so
   * that a paused holder's requests are gone by the time another process may take its partition.
   */
  pullExpiresMs?: number;
  /**
   * Whether a handler's failure means something it depends on (its database) is away. Such failures
   * are not counted towards `maxDeliver`: the consumer waits in place and is not ready, and a query
   * answers 503. Without it, only a closed broker connection counts as away.
   */
  isUnavailable?: (error: unknown) => boolean;
  /**
   * Opens the sealed content of what is consumed, before it is validated (ADR 13). Without it, a
   * message with sealed content is undecodable.
   */
  content?: ContentSeal;
}

/**
 * How a lease ended: `given-up` when this process must hand it over (fair share, shutdown) and may
 * still act on what it holds; `taken` when it can no longer prove it owns the partition.
 */
export type LeaseEnd = 'given-up' | 'taken';

/** Exclusive right to consume one durable, held until released or lost. */
export interface HeldLease {
  /** Resolves when the right is lost, or must be given up so another process can take it. */
  lost: Promise<LeaseEnd>;
  /** Given to handlers (`currentFences`) so that their commit can be refused after a takeover. */
  fence?: Fence;
  release(): Promise<void>;
}

export interface ConsumerLease {
  /**
   * Waits until this process may consume `durable` alone; undefined once `stopped()` says so.
   * `group` is the partitioned durable it belongs to, whose partitions are shared out fairly.
   */
  acquire(
    durable: string,
    stopped: () => boolean,
    group?: { name: string; partitions: number },
  ): Promise<HeldLease | undefined>;
  /** Whether this process has had its first chance to take what it should hold. */
  ready?(): boolean;
}

export interface ConsumerObserver {
  handled(consumer: string, subject: string, seconds: number): void;
  failed(consumer: string, subject: string, outcome: 'retried' | 'dead-lettered'): void;
  redelivered(consumer: string): void;
  /** A message this build has no handler for was offered back for a process that has one. */
  unhandled?(consumer: string, subject: string): void;
  /** Whether the consumer is paused because its database or broker is away. */
  paused?(consumer: string, paused: boolean): void;
  /** A message whose content key was destroyed was acked unhandled: what it carried is erased. */
  erased?(consumer: string, subject: string): void;
}

const SUBJECTS_REMEMBERED = 1_000;

const APPLIED: AppliedNotice = { outcome: 'applied' };

const DEFAULT_BACKOFF_MS = [1_000, 2_000, 5_000, 10_000, 30_000];

/**
 * A partition's messages are redelivered each time it changes hands while they wait in the old
 * owner's buffer, so for ordered consumers the delivery count says little about failures: failures
 * are counted in place, and only a message delivered this many times more (its handler crashed the
 * process again and again) is dead-lettered on its delivery count alone.
 */
const ORDERED_REDELIVERY_ALLOWANCE = 10;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Messages a crashed holder left unacked: an ordered consumer handles them before newer ones. */
interface Owed {
  /** The consumer's last delivered stream sequence when this process started. */
  upTo: number;
  count: number;
  /**
   * They come back as their ack waits run out, which the holder extended at different times (a
   * batch in hand and the queue behind it), so not in stream order: they are held until all are
   * back, or until this time (a count gone stale must not stall the consumer).
   */
  waitUntil: number;
}

interface Decoded {
  m: JsMsg;
  payload: unknown;
  /** The durable it came from: runs of a partitioned durable's partitions may be applied together. */
  durable: string;
}

/** What a consumer loop knows of its right to consume: whether to leave, and the leases' fences. */
interface Tenure {
  leaving: () => boolean;
  fences: Fence[];
}

/** A partition's run of messages for a batch handler, waiting to be applied with other partitions'. */
interface PartitionRun {
  ready: Decoded[];
  tenure: Tenure;
}

/** How a run of messages ended: all settled, or left unsettled for the lease's next holder. */
type Outcome = 'settled' | 'left' | 'fenced-out';

/**
 * NestJS transport over JetStream durable pull consumers (events and commands) and core NATS
 * request/reply (queries). A message is acked only after its handler succeeded, nak'ed with a
 * growing delay when it failed, and dead-lettered then terminated when it can never succeed.
 */
export class JetStreamServer extends Server implements CustomTransportStrategy {
  private readonly log = new Logger('JetStreamServer');
  private readonly js: JetStreamClient;
  private readonly iterators: ConsumerMessages[] = [];
  private readonly loops: Promise<void>[] = [];
  private readonly querySubscriptions: Subscription[] = [];
  private readonly handlersBySubject = new Map<string, MessageHandler | null>();
  private stopping = false;
  private listening = false;
  /** Consumers waiting for their database or broker to come back. */
  private readonly pausedConsumers = new Set<string>();
  /** Per batch handler, per partitioned durable: its partitions' runs applied together. */
  private readonly groupCommits = new Map<MessageHandler, Map<string, GroupCommit<PartitionRun>>>();
  observer?: ConsumerObserver;

  constructor(
    private readonly nc: NatsConnection,
    private readonly options: JetStreamServerOptions,
  ) {
    super();
    this.js = jetstream(nc);
  }

  get maxDeliver(): number {
    return this.options.maxDeliver ?? 10;
  }

  private get pullExpiresMs(): number {
    return this.options.pullExpiresMs ?? 5_000;
  }

  private isUnavailable(error: unknown): boolean {
    return this.options.isUnavailable?.(error) ?? false;
  }

  /** Consumers pulling and queries subscribed, on a live connection, and none paused by an outage. */
  isReady(): boolean {
    return (
      this.listening &&
      !this.stopping &&
      !this.nc.isClosed() &&
      this.pausedConsumers.size === 0 &&
      (this.options.lease?.ready?.() ?? true)
    );
  }

  on(): never {
    throw new Error('JetStreamServer does not emit events');
  }

  unwrap<T>(): T {
    return this.nc as T;
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      for (const def of this.options.consumers) {
        const consumer = await this.js.consumers.get(def.stream, def.durable);
        if (def.maxBatch || def.ordered) {
          this.loops.push(this.consumeInBatches(def, consumer));
        } else {
          const messages = await consumer.consume({ max_messages: this.options.batchSize ?? 100 });
          this.iterators.push(messages);
          this.loops.push(this.pump(def, messages));
        }
      }
      this.subscribeQueries();
      this.listening = true;
      callback();
    } catch (error) {
      callback(error);
    }
  }

  async close(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await Promise.all(this.querySubscriptions.map((s) => s.drain().catch(() => undefined)));
    for (const messages of this.iterators) messages.stop();
    const timeout = new Promise<void>((resolve) =>
      setTimeout(resolve, this.options.drainTimeoutMs ?? 10_000).unref(),
    );
    await Promise.race([Promise.all(this.loops), timeout]);
  }

  private async pump(def: ConsumerDefinition, messages: ConsumerMessages): Promise<void> {
    try {
      // After close() stops the iterator it still yields what was already pulled: finish that work
      // (bounded by drainTimeoutMs) instead of nak'ing it. A nak'ed message redelivered while the
      // server still holds this process's pull requests, whose inbox is gone, makes nats-server 2.9
      // rewind the consumer, and the message is then delivered twice.
      const limit = def.concurrency ?? 1;
      const inFlight = new Set<Promise<unknown>>();
      for await (const m of messages) {
        const handling: Promise<unknown> = this.process(def, m).finally(() => inFlight.delete(handling));
        inFlight.add(handling);
        if (inFlight.size >= limit) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
    } catch (error) {
      if (!this.stopping) this.log.error(`consumer ${def.durable} stopped: ${(error as Error).message}`);
    }
  }

  private process(def: ConsumerDefinition, m: JsMsg): Promise<Outcome> {
    return this.processRun(def, this.handlerFor(m.subject), [m], {
      leaving: () => this.stopping,
      fences: [],
    });
  }

  /**
   * Pulls under the lease (ordered consumers) and hands handlers what has arrived, a batch at a
   * time: under load a batch handler sees many messages in one call, when idle it sees one at once.
   * Whatever ends a tenure (the lease lost, the broker away), the lease is released and the loop
   * goes on, so a partition is never left held by a loop that stopped.
   */
  private async consumeInBatches(def: ConsumerDefinition, consumer: Consumer): Promise<void> {
    const pullSize = Math.max(this.options.batchSize ?? 100, def.maxBatch ?? 1);
    while (!this.stopping) {
      const lease = def.ordered
        ? await this.options.lease?.acquire(def.durable, () => this.stopping, def.group)
        : undefined;
      try {
        if (this.stopping) break;
        await this.consumeUnder(def, consumer, pullSize, lease);
      } catch (error) {
        if (this.stopping) break;
        this.log.error(`consumer ${def.durable}: ${(error as Error).message}; starting again`);
        await sleep(1_000);
      } finally {
        await lease?.release();
      }
      if (!lease) break;
    }
  }

  /** One tenure: from taking the partition (or starting) until the lease ends or the stream does. */
  private async consumeUnder(
    def: ConsumerDefinition,
    consumer: Consumer,
    pullSize: number,
    lease: HeldLease | undefined,
  ): Promise<void> {
    const start = def.ordered ? await this.owedBy(def, consumer) : undefined;
    const messages = await consumer.consume({ max_messages: pullSize, expires: this.pullExpiresMs });
    this.iterators.push(messages);
    let ended: LeaseEnd | undefined;
    void lease?.lost.then((how) => {
      ended = how;
      messages.stop();
    });
    try {
      await this.drainInBatches(def, consumer, messages, start, { ended: () => ended, fence: lease?.fence });
    } finally {
      this.iterators.splice(this.iterators.indexOf(messages), 1);
    }
  }

  /**
   * What the consumer has handed out and not had acknowledged (owed before anything newer), and
   * its last delivery sequence, from which every delivery to this holder must follow without a gap.
   */
  private async owedBy(
    def: ConsumerDefinition,
    consumer: Consumer,
  ): Promise<{ owed?: Owed; lastDelivery: number }> {
    const info = await consumer.info();
    const ackWaitMs = (def.ackWaitSeconds ?? 10) * 1000;
    const owed =
      info.num_ack_pending > 0
        ? {
            upTo: info.delivered.stream_seq,
            count: info.num_ack_pending,
            waitUntil: Date.now() + 2 * ackWaitMs,
          }
        : undefined;
    return { owed, lastDelivery: info.delivered.consumer_seq };
  }

  private async drainInBatches(
    def: ConsumerDefinition,
    consumer: Consumer,
    messages: ConsumerMessages,
    start: { owed?: Owed; lastDelivery: number } | undefined,
    held: { ended: () => LeaseEnd | undefined; fence?: Fence },
  ): Promise<void> {
    const queue: JsMsg[] = [];
    let inHand: JsMsg[] = [];
    let arrived: (() => void) | undefined;
    let ended = false;
    let owed = start?.owed;
    // Every delivery of an ordered consumer comes to its one holder, so delivery sequences follow
    // one another. A gap is a delivery lost on its way (a broker node died, a connection dropped):
    // it comes back only after its ack wait, behind newer messages, unless those wait for it.
    let nextDelivery = start ? start.lastDelivery + 1 : undefined;
    let deliveryLost = false;
    const reader = (async () => {
      try {
        for await (const m of messages) {
          if (nextDelivery !== undefined) {
            if (m.info.deliverySequence !== nextDelivery) deliveryLost = true;
            nextDelivery = m.info.deliverySequence + 1;
          }
          queue.push(m);
          arrived?.();
        }
      } finally {
        ended = true;
        arrived?.();
      }
    })();
    const nextArrival = (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        arrived = () => {
          clearTimeout(timer);
          resolve();
        };
      }).finally(() => (arrived = undefined));
    // Pulled messages wait their turn without being redelivered meanwhile, those of the batch in
    // hand too while an earlier run of it is retried in place.
    const ackWaitMs = (def.ackWaitSeconds ?? 10) * 1000;
    const keepAlive = setInterval(() => {
      for (const m of queue) m.working();
      for (const m of inHand) m.working();
    }, ackWaitMs / 3);
    const tenure: Tenure = {
      leaving: () => held.ended() !== undefined || this.stopping,
      fences: held.fence ? [held.fence] : [],
    };
    const maxBatch = def.maxBatch ?? 1;
    try {
      // Stopping finishes what was already pulled; a lost lease leaves it to the next holder.
      while (held.ended() === undefined) {
        if (deliveryLost) {
          deliveryLost = false;
          owed = (await this.owedBy(def, consumer)).owed;
          this.log.warn(`${def.durable}: a delivery was lost on its way; newer messages wait for it`);
        }
        if (owed && (owed.count <= 0 || (await consumer.info()).ack_floor.stream_seq >= owed.upTo)) {
          owed = undefined;
        }
        // Let the messages already received join the queue first, so that a backlog comes in full batches.
        if (queue.length < maxBatch) await new Promise((resolve) => setImmediate(resolve));
        const batch = this.takeBatch(queue, maxBatch, owed);
        if (!batch.length) {
          if (ended) break;
          await nextArrival(owed ? 1_000 : 60_000);
          continue;
        }
        if (owed) owed.count -= batch.length;
        inHand = batch;
        const outcome = await this.processBatch(def, batch, tenure);
        inHand = [];
        if (outcome !== 'settled') break;
      }
    } finally {
      clearInterval(keepAlive);
      messages.stop();
      await reader.catch(() => undefined);
      // Pulled and never handled: when this process hands the partition over (and still owns it),
      // they are offered again at once, so the next holder need not wait out their ack wait. Never
      // acked (that would skip them); after a takeover, left alone: they are the new holder's now.
      if (held.ended() === 'given-up' && !this.stopping) queue.forEach((m) => m.nak());
    }
  }

  /**
   * The next messages in stream order; while a crashed holder's messages are owed, only those, once
   * all of them are back (see `Owed.waitUntil`), lowest stream sequence first.
   */
  private takeBatch(queue: JsMsg[], max: number, owed: Owed | undefined): JsMsg[] {
    if (!owed) return queue.splice(0, max);
    const back = queue.filter((m) => m.seq <= owed.upTo);
    if (back.length < owed.count && Date.now() < owed.waitUntil) return [];
    const batch = back.sort((a, b) => a.seq - b.seq).slice(0, max);
    const taken = new Set(batch);
    queue.splice(0, queue.length, ...queue.filter((m) => !taken.has(m)));
    return batch;
  }

  /**
   * The handler of a subject, looked up once per subject: Nest's lookup first tries `JSON.parse` on
   * the subject, and the exception that throws for every plain subject was a tenth of history's and
   * delivery's CPU in a catch-up (docs/performance.md). Handlers name subjects without their
   * partition. Subjects are this system's own and few; past SUBJECTS_REMEMBERED distinct ones,
   * lookups are no longer remembered.
   */
  private handlerFor(subject: string): MessageHandler | null {
    const pattern = unpartitionedSubject(subject);
    let handler = this.handlersBySubject.get(pattern);
    if (handler === undefined) {
      handler = this.getHandlerByPattern(pattern);
      if (this.handlersBySubject.size < SUBJECTS_REMEMBERED) this.handlersBySubject.set(pattern, handler);
    }
    return handler;
  }

  /** Runs of consecutive messages for the same batch handler go together; the rest one by one. */
  private async processBatch(def: ConsumerDefinition, batch: JsMsg[], tenure: Tenure): Promise<Outcome> {
    for (let i = 0; i < batch.length;) {
      const handler = this.handlerFor(batch[i].subject);
      let j = i + 1;
      if (handler?.extras?.batch) {
        while (j < batch.length && this.handlerFor(batch[j].subject) === handler) j++;
      }
      const outcome = await this.processRun(def, handler, batch.slice(i, j), tenure);
      if (outcome !== 'settled') return outcome;
      i = j;
    }
    return 'settled';
  }

  /**
   * Handles a run of messages for one handler and settles each: acked after success, retried or
   * dead-lettered after failure. An ordered consumer may have to leave a message unsettled: when its
   * lease is lost or given up ('left'), or when its commit was refused after a takeover ('fenced-out').
   */
  private async processRun(
    def: ConsumerDefinition,
    handler: MessageHandler | null,
    run: JsMsg[],
    tenure: Tenure,
  ): Promise<Outcome> {
    if (!handler?.isEventHandler) {
      for (const m of run) await this.settleUnhandled(def, m);
      return 'settled';
    }
    const maxDeliver = def.maxDeliver ?? this.maxDeliver;
    const maxDeliveries = def.ordered ? maxDeliver * ORDERED_REDELIVERY_ALLOWANCE : maxDeliver;
    const ready: Decoded[] = [];
    for (const m of run) {
      const deliveries = m.info.deliveryCount;
      if (deliveries > maxDeliveries) {
        await this.deadLetter(def, m, `no success after ${deliveries - 1} deliveries`);
        continue;
      }
      if (deliveries > 1) this.observer?.redelivered(def.durable);
      try {
        ready.push({ m, payload: await this.decode(def, handler, m), durable: def.durable });
      } catch (error) {
        if (error instanceof ContentKeyDestroyed) this.skipErased(def, handler, m, error);
        else await this.reject(def, handler, m, error as Error);
      }
    }
    if (!ready.length) return 'settled';
    const heartbeat = setInterval(
      () => ready.forEach(({ m }) => m.working()),
      ((def.ackWaitSeconds ?? 10) * 1000) / 3,
    );
    try {
      const group = def.group?.name;
      if (!group || !handler.extras?.batch) return await this.attemptRun(def, handler, ready, tenure);
      const { error, shared } = await this.groupCommitOf(handler, def, group).submit(
        { ready, tenure },
        ready.length,
      );
      if (error === undefined) return 'settled';
      // Another partition's message may have failed the shared attempt: this run is tried alone.
      return shared
        ? await this.attemptRun(def, handler, ready, tenure)
        : await this.afterRunFailed(def, handler, ready, error, tenure);
    } finally {
      clearInterval(heartbeat);
    }
  }

  /** Applies a run, then, if that failed, each of its messages alone (see `afterRunFailed`). */
  private async attemptRun(
    def: ConsumerDefinition,
    handler: MessageHandler,
    ready: Decoded[],
    tenure: Tenure,
  ): Promise<Outcome> {
    const error = await this.attempt(handler, ready, tenure.fences);
    return error === undefined ? 'settled' : this.afterRunFailed(def, handler, ready, error, tenure);
  }

  private async afterRunFailed(
    def: ConsumerDefinition,
    handler: MessageHandler,
    ready: Decoded[],
    error: unknown,
    tenure: Tenure,
  ): Promise<Outcome> {
    if (error instanceof FencedOut || ready.length === 1)
      return this.afterFailure(def, handler, ready[0], error, tenure);
    // One bad message must not hold back the others: each is tried alone.
    for (const one of ready) {
      const alone = await this.attempt(handler, [one], tenure.fences);
      if (alone === undefined) continue;
      const outcome = await this.afterFailure(def, handler, one, alone, tenure);
      if (outcome !== 'settled') return outcome;
    }
    return 'settled';
  }

  /**
   * The group commit of a partitioned durable's batch handler in this process: the runs its
   * partitions submit while one attempt is under way go together in the next, in one transaction
   * fenced by every lease they came under, up to the durable's `maxBatch` messages.
   */
  private groupCommitOf(
    handler: MessageHandler,
    def: ConsumerDefinition,
    group: string,
  ): GroupCommit<PartitionRun> {
    let byGroup = this.groupCommits.get(handler);
    if (!byGroup) this.groupCommits.set(handler, (byGroup = new Map()));
    let commit = byGroup.get(group);
    if (!commit) {
      commit = new GroupCommit<PartitionRun>(def.maxBatch ?? 1, (runs) =>
        this.attempt(
          handler,
          runs.flatMap((run) => run.ready),
          runs.flatMap((run) => run.tenure.fences),
        ),
      );
      byGroup.set(group, commit);
    }
    return commit;
  }

  /**
   * The message's payload, its content opened and checked. Reading a content key may fail while
   * the broker is away: that is retried in place (an ordered consumer must not let later messages
   * overtake), and after `maxDeliver` tries the message is undecodable.
   */
  private async decode(def: ConsumerDefinition, handler: MessageHandler, m: JsMsg): Promise<unknown> {
    const schema = handler.extras?.schema as PayloadClass | undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        return await decodePayload(m.data, m.subject, schema, (plain) => this.openContent(m, plain));
      } catch (error) {
        if (error instanceof UndecodablePayload || error instanceof ContentKeyDestroyed) throw error;
        const reason = `could not open the content of ${m.subject} #${m.seq}: ${(error as Error).message}`;
        if (attempt >= (def.maxDeliver ?? this.maxDeliver)) throw new UndecodablePayload(reason);
        this.log.warn(`${def.durable}: ${reason}; trying again`);
        m.working();
        await sleep(this.backoff(attempt));
      }
    }
  }

  /** Opens the message's sealed content fields, if it has any (`SEALED_CONTENT_HEADER`). */
  private openContent(m: JsMsg, plain: unknown): Promise<unknown> {
    if (!m.headers?.has(SEALED_CONTENT_HEADER)) return Promise.resolve(plain);
    if (!this.options.content)
      throw new UndecodablePayload(`${m.subject} has sealed content, and this process has no content keys`);
    return this.options.content.open(m.subject, plain, m.headers);
  }

  /**
   * A message sealed under a destroyed key: what it carried was erased, no retry will open it, and
   * no handler may see it. Acked, counted and logged (ids only); a client waiting for the command
   * hears 410.
   */
  private skipErased(
    def: ConsumerDefinition,
    handler: MessageHandler,
    m: JsMsg,
    error: ContentKeyDestroyed,
  ): void {
    m.ack();
    this.observer?.erased?.(def.durable, unpartitionedSubject(m.subject));
    this.log.log(`${def.durable}: skipped ${m.subject} #${m.seq}: ${error.message}`);
    if (handler.extras?.command) this.notify(m, { outcome: 'rejected', status: 410, reason: error.message });
  }

  /**
   * A message with no handler here: acked when this build knows its subject (the service does not
   * care about it); otherwise it is from a newer build (a rolling upgrade) and is offered again
   * later, for a process that can handle it, until it is too old and is dead-lettered.
   */
  private async settleUnhandled(def: ConsumerDefinition, m: JsMsg): Promise<void> {
    if (!this.options.knowsSubject || this.options.knowsSubject(unpartitionedSubject(m.subject))) {
      m.ack();
      return;
    }
    const ageMs = Date.now() - Number(m.info.timestampNanos) / 1e6;
    const maxAgeMs = this.options.unknownMaxAgeMs ?? 24 * 60 * 60 * 1000;
    if (ageMs > maxAgeMs) {
      await this.deadLetter(
        def,
        m,
        `no process could handle ${m.subject} within ${Math.round(maxAgeMs / 1000)} s (unknown subject)`,
      );
      return;
    }
    this.observer?.unhandled?.(def.durable, unpartitionedSubject(m.subject));
    this.log.warn(`${def.durable}: no handler for ${m.subject} #${m.seq} in this build; offered again later`);
    m.nak(this.options.unknownRetryMs ?? 30_000);
  }

  /**
   * Calls the handler (with an array for a batch handler) under the leases' fences and acks on
   * success; returns the error.
   */
  private async attempt(handler: MessageHandler, ready: Decoded[], fences: Fence[]): Promise<unknown> {
    const started = process.hrtime.bigint();
    const first = ready[0].m;
    const h = first.headers;
    try {
      await runFenced(fences, () =>
        runInSpan(
          `handle ${unpartitionedSubject(first.subject)}`,
          'consumer',
          h?.get(CORRELATION_HEADER),
          h?.get(TRACEPARENT_HEADER),
          () =>
            this.invoke(
              handler,
              handler.extras?.batch ? ready.map((r) => r.payload) : ready[0].payload,
              new JetStreamContext(ready.map((r) => r.m)),
            ),
        ),
      );
    } catch (error) {
      return error ?? new Error('handler failed');
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9 / ready.length;
    for (const { m, durable } of ready) {
      m.ack();
      this.observer?.handled(durable, unpartitionedSubject(m.subject), seconds);
      if (handler.extras?.command) this.notify(m, APPLIED);
    }
    return undefined;
  }

  /**
   * A failed message is nak'ed with a growing delay, or dead-lettered when it can never succeed.
   * An ordered consumer retries it in place instead, so that no later message overtakes it. While
   * the database or the broker is away, attempts are not counted: the consumer pauses (and says so
   * to readiness) instead of dead-lettering work that only waits for infrastructure.
   */
  private async afterFailure(
    def: ConsumerDefinition,
    handler: MessageHandler,
    failed: Decoded,
    error: unknown,
    tenure: Tenure,
  ): Promise<Outcome> {
    const { m } = failed;
    const maxDeliver = def.maxDeliver ?? this.maxDeliver;
    let failures = def.ordered ? 1 : m.info.deliveryCount;
    let paused = false;
    try {
      for (;;) {
        if (error instanceof FencedOut) {
          this.log.warn(`${def.durable}: lease taken over while handling #${m.seq}; left to the new holder`);
          return 'fenced-out';
        }
        const reason = (error as Error).message ?? String(error);
        if (error instanceof UndecodablePayload || error instanceof PermanentFailure) {
          await this.reject(def, handler, m, error);
          return 'settled';
        }
        const unavailable = this.isUnavailable(error) || this.nc.isClosed();
        if (unavailable !== paused) {
          paused = unavailable;
          this.pausedConsumers[paused ? 'add' : 'delete'](def.durable);
          this.observer?.paused?.(def.durable, paused);
        }
        if (!(error instanceof RetryLater) && !unavailable && failures >= maxDeliver) {
          await this.deadLetter(def, m, `failed ${failures} times, last: ${reason}`);
          return 'settled';
        }
        const delay = error instanceof RetryLater ? error.delayMs : this.backoff(failures);
        if (!(error instanceof RetryLater)) {
          this.log.warn(
            `${def.durable} ${m.subject} #${m.seq} failed (${unavailable ? 'unavailable, not counted' : `attempt ${failures}`}), retry in ${delay} ms: ${reason}`,
          );
          this.observer?.failed(def.durable, unpartitionedSubject(m.subject), 'retried');
        }
        if (!def.ordered) {
          m.nak(delay);
          return 'settled';
        }
        for (const until = Date.now() + delay; Date.now() < until;) {
          if (tenure.leaving()) return 'left';
          await sleep(Math.min(250, until - Date.now()));
        }
        if (!unavailable && !(error instanceof RetryLater)) failures++;
        error = await this.attempt(handler, [failed], tenure.fences);
        if (error === undefined) return 'settled';
      }
    } finally {
      if (paused) {
        this.pausedConsumers.delete(def.durable);
        this.observer?.paused?.(def.durable, false);
      }
    }
  }

  private async invoke(handler: MessageHandler, payload: unknown, ctx: unknown): Promise<unknown> {
    return lastValueFrom(this.transformToObservable(await handler(payload, ctx)), {
      defaultValue: undefined,
    });
  }

  private backoff(deliveries: number): number {
    const schedule = this.options.backoffMs ?? DEFAULT_BACKOFF_MS;
    return schedule[Math.min(deliveries - 1, schedule.length - 1)];
  }

  /** Dead-letters a message no retry can help, and tells whoever waits for the command why. */
  private async reject(
    def: ConsumerDefinition,
    handler: MessageHandler,
    m: JsMsg,
    error: Error,
  ): Promise<void> {
    if (!(await this.deadLetter(def, m, error.message)) || !handler.extras?.command) return;
    const status = error instanceof PermanentFailure ? error.status : 422;
    this.notify(m, { outcome: 'rejected', status, reason: error.message });
  }

  /** Core NATS, fire and forget: a waiting client that misses it gets its 202 when its wait ends. */
  private notify(m: JsMsg, notice: AppliedNotice): void {
    const subject = m.headers?.get(APPLIED_NOTICE_HEADER);
    if (!subject) return;
    try {
      this.nc.publish(subject, JSON.stringify(notice));
    } catch (error) {
      this.log.warn(`could not tell ${subject} about #${m.seq}: ${(error as Error).message}`);
    }
  }

  /** True once the dead letter is stored and the message terminated; false when it was nak'ed. */
  private async deadLetter(def: ConsumerDefinition, m: JsMsg, reason: string): Promise<boolean> {
    const h = natsHeaders();
    const original = m.headers;
    for (const key of original?.keys() ?? []) {
      if (key.toLowerCase() !== 'nats-msg-id') h.set(key, original?.get(key) ?? '');
    }
    h.set(DeadLetterHeaders.reason, reason.slice(0, 1000));
    h.set(DeadLetterHeaders.stream, m.info.stream);
    h.set(DeadLetterHeaders.subject, m.subject);
    h.set(DeadLetterHeaders.sequence, String(m.seq));
    h.set(DeadLetterHeaders.consumer, def.durable);
    h.set(DeadLetterHeaders.deliveries, String(m.info.deliveryCount));
    try {
      await this.js.publish(deadLetterSubject(def.durable), m.data, {
        headers: h,
        msgID: `${def.durable}:${m.info.stream}:${m.seq}`,
      });
    } catch (error) {
      // Without a stored dead letter the message must stay in the consumer: try again later.
      this.log.error(`could not dead-letter ${m.subject} #${m.seq}: ${(error as Error).message}`);
      m.nak(this.backoff(m.info.deliveryCount));
      return false;
    }
    m.term();
    this.observer?.failed(def.durable, unpartitionedSubject(m.subject), 'dead-lettered');
    this.log.error(`dead-lettered ${m.subject} #${m.seq} from ${def.durable}: ${reason}`);
    return true;
  }

  private subscribeQueries(): void {
    for (const [subject, handler] of this.getHandlers()) {
      if (handler.isEventHandler) continue;
      const subscription = this.nc.subscribe(subject, {
        queue: this.options.queryQueue,
        callback: (error, msg) => {
          if (!error) void this.answer(handler, msg);
        },
      });
      this.querySubscriptions.push(subscription);
    }
  }

  private async answer(handler: MessageHandler, msg: Msg): Promise<void> {
    let reply: unknown;
    try {
      const query = await decodePayload(msg.data, msg.subject);
      const data = await runInTrace(traceFromHeaders(msg.headers), () =>
        this.invoke(handler, query, undefined),
      );
      reply = { ok: true, data };
    } catch (error) {
      if (error instanceof QueryRejected) {
        reply = { ok: false, problem: { status: error.status, title: error.title, detail: error.message } };
      } else if (this.isUnavailable(error)) {
        this.log.warn(`query ${msg.subject}: ${(error as Error).message}`);
        reply = {
          ok: false,
          problem: {
            status: 503,
            title: 'Service unavailable',
            detail: 'The data behind this is unreachable right now.',
          },
        };
      } else {
        this.log.error(`query ${msg.subject} failed: ${(error as Error).stack ?? error}`);
        reply = { ok: false, problem: { status: 500, title: 'Internal error', detail: 'The query failed.' } };
      }
    }
    msg.respond(JSON.stringify(reply));
  }
}
