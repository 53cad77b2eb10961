import { Logger } from '@nestjs/common';
import { CustomTransportStrategy, MessageHandler, Server } from '@nestjs/microservices';
import { ConsumerMessages, jetstream, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { headers as natsHeaders, Msg, NatsConnection, Subscription } from '@nats-io/nats-core';
import { plainToInstance } from 'class-transformer';
import { validate, ValidationError } from 'class-validator';
import { lastValueFrom } from 'rxjs';
import { DeadLetterHeaders, deadLetterSubject } from './dead-letter';
import { PayloadClass } from './decorators';
import { PermanentFailure, QueryRejected, RetryLater } from './errors';
import { JetStreamContext } from './jetstream.context';
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
}

export interface ConsumerObserver {
  handled(consumer: string, subject: string, seconds: number): void;
  failed(consumer: string, subject: string, outcome: 'retried' | 'dead-lettered'): void;
  redelivered(consumer: string): void;
}

const DEFAULT_BACKOFF_MS = [1_000, 2_000, 5_000, 10_000, 30_000];

function describeValidation(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((e) => {
    const path = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((c) => `${path}: ${c}`);
    return [...own, ...describeValidation(e.children ?? [], path)];
  });
}

class UndecodablePayload extends Error {}

/** Connection-class failures (PostgreSQL down or refusing): the caller should retry, not report a bug. */
function isUnavailable(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  return (
    /^(08|57P0|53300|ECONN|ETIMEDOUT)/.test(code ?? '') ||
    /Connection terminated|timeout exceeded when trying to connect|not currently accepting connections/i.test(
      message ?? '',
    )
  );
}

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
  private stopping = false;
  private listening = false;
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

  /** Consumers pulling and queries subscribed, on a live connection. */
  isReady(): boolean {
    return this.listening && !this.stopping && !this.nc.isClosed();
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
        const messages = await consumer.consume({ max_messages: this.options.batchSize ?? 100 });
        this.iterators.push(messages);
        this.loops.push(this.pump(def, messages));
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
      const inFlight = new Set<Promise<void>>();
      for await (const m of messages) {
        const handling: Promise<void> = this.process(def, m).finally(() => inFlight.delete(handling));
        inFlight.add(handling);
        if (inFlight.size >= limit) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
    } catch (error) {
      if (!this.stopping) this.log.error(`consumer ${def.durable} stopped: ${(error as Error).message}`);
    }
  }

  private async process(def: ConsumerDefinition, m: JsMsg): Promise<void> {
    const handler = this.getHandlerByPattern(m.subject);
    if (!handler?.isEventHandler) {
      // Subjects this service does not care about still share its filter (e.g. all events).
      m.ack();
      return;
    }
    const deliveries = m.info.deliveryCount;
    const maxDeliver = def.maxDeliver ?? this.maxDeliver;
    if (deliveries > maxDeliver) {
      return this.deadLetter(def, m, `no success after ${deliveries - 1} deliveries`);
    }
    if (deliveries > 1) this.observer?.redelivered(def.durable);
    const started = process.hrtime.bigint();
    const heartbeat = setInterval(() => m.working(), ((def.ackWaitSeconds ?? 10) * 1000) / 3);
    try {
      const payload = await this.decode(m, handler.extras?.schema as PayloadClass | undefined);
      const h = m.headers;
      await runInSpan(
        `handle ${m.subject}`,
        'consumer',
        h?.get(CORRELATION_HEADER),
        h?.get(TRACEPARENT_HEADER),
        () => this.invoke(handler, payload, new JetStreamContext([m])),
      );
      m.ack();
      this.observer?.handled(def.durable, m.subject, Number(process.hrtime.bigint() - started) / 1e9);
    } catch (error) {
      const reason = (error as Error).message ?? String(error);
      if (error instanceof RetryLater) {
        m.nak(error.delayMs);
      } else if (error instanceof UndecodablePayload || error instanceof PermanentFailure) {
        await this.deadLetter(def, m, reason);
      } else if (deliveries >= maxDeliver) {
        await this.deadLetter(def, m, `failed ${deliveries} times, last: ${reason}`);
      } else {
        const delay = this.backoff(deliveries);
        this.log.warn(
          `${def.durable} ${m.subject} #${m.seq} failed (delivery ${deliveries}), retry in ${delay} ms: ${reason}`,
        );
        m.nak(delay);
        this.observer?.failed(def.durable, m.subject, 'retried');
      }
    } finally {
      clearInterval(heartbeat);
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

  private async decode(m: { data: Uint8Array; subject: string }, schema?: PayloadClass): Promise<unknown> {
    let plain: unknown;
    try {
      plain = JSON.parse(Buffer.from(m.data).toString('utf8'));
    } catch {
      throw new UndecodablePayload(`payload of ${m.subject} is not JSON`);
    }
    if (!schema) return plain;
    if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) {
      throw new UndecodablePayload(`payload of ${m.subject} is not a JSON object`);
    }
    const instance = plainToInstance(schema, plain);
    const problems = describeValidation(await validate(instance, { whitelist: true }));
    if (problems.length) throw new UndecodablePayload(`invalid ${schema.name}: ${problems.join('; ')}`);
    return instance;
  }

  private async deadLetter(def: ConsumerDefinition, m: JsMsg, reason: string): Promise<void> {
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
      return;
    }
    m.term();
    this.observer?.failed(def.durable, m.subject, 'dead-lettered');
    this.log.error(`dead-lettered ${m.subject} #${m.seq} from ${def.durable}: ${reason}`);
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
      const query = await this.decode(msg);
      const data = await runInTrace(traceFromHeaders(msg.headers), () =>
        this.invoke(handler, query, undefined),
      );
      reply = { ok: true, data };
    } catch (error) {
      if (error instanceof QueryRejected) {
        reply = { ok: false, problem: { status: error.status, title: error.title, detail: error.message } };
      } else if (isUnavailable(error)) {
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
