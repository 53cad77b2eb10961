import { Inject, Injectable } from '@nestjs/common';
import { jetstream, JetStreamClient, PubAck } from '@nats-io/jetstream';
import { NatsConnection } from '@nats-io/nats-core';
import {
  partitionKey,
  partitionOf,
  partitionOfSubject,
  type QueryReply,
  subjectFor,
} from '@parley/contracts';
import { ContentErased } from './content-keys';
import { ContentSeal, SEALED_CONTENT_HEADER, SealedPayload } from './content-seal';
import { BrokerUnavailable, QueryRejected } from './errors';
import { currentTrace, TraceContext, traceHeaders } from './trace-context';

export const NATS_CONNECTION = Symbol('NATS_CONNECTION');
/** How many partitions the command and event streams have (`PARLEY_PARTITIONS`). */
export const PARTITIONS = Symbol('PARTITIONS');

/** A publish asked for: its payload being sealed, then sent once those asked for before it were. */
interface Waiting {
  sealing: Promise<SealedPayload>;
  sealed: boolean;
  send: () => void;
}

/**
 * Publishes commands and events durably and asks other services questions. Content fields (the
 * contracts' `@Content`) are sealed under their scope's key on the way (`ContentSeal`).
 */
@Injectable()
export class JetStreamPublisher {
  private readonly js: JetStreamClient;
  /** Publishes asked for during this turn of the event loop, sent together at its end. */
  private waiting: Waiting[] = [];
  /** Sending the turns' publishes, one turn after the other. */
  private sending: Promise<void> = Promise.resolve();

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(PARTITIONS) private readonly partitions: number,
    private readonly content: ContentSeal,
  ) {
    this.js = jetstream(nc, { timeout: 5_000 });
  }

  /** The partition of what a payload is about (see `partitionKey`). */
  partitionOf(payload: unknown): number {
    return partitionOf(partitionKey(payload), this.partitions);
  }

  /**
   * Resolves only once JetStream has stored the message (PubAck). `msgId` makes a retry inside
   * the stream's duplicate window a no-op (`PubAck.duplicate`). A command or event subject gets the
   * partition of what its payload is about, unless it carries one. `trace` defaults to the current
   * one; `headers` are added to the trace's. Throws `ContentErased` when the payload has content of
   * a conversation that was erased.
   */
  async publish(
    subject: string,
    payload: unknown,
    msgId: string,
    trace?: TraceContext,
    headers?: Record<string, string>,
  ): Promise<PubAck> {
    if (partitionOfSubject(subject) === undefined) subject = subjectFor(subject, payload, this.partitions);
    const options = { msgID: msgId, headers: traceHeaders(undefined, trace ?? currentTrace()) };
    for (const [name, value] of Object.entries(headers ?? {})) options.headers.set(name, value);
    const sealing = this.content.seal(subject, payload).catch((error: Error) => {
      if (error instanceof ContentErased) throw error;
      // The scope's key could not be read or made: the broker is away (or refuses the bucket).
      throw new BrokerUnavailable(`could not seal the content of ${subject}: ${error.message}`);
    });
    const sealed = await this.atEndOfTurn(sealing, (ready) => {
      if (ready.sealed) options.headers.set(SEALED_CONTENT_HEADER, '1');
      return this.js.publish(subject, JSON.stringify(ready.payload), options).catch((error: Error) => {
        throw new BrokerUnavailable(`JetStream did not store ${subject}: ${error.message}`);
      });
    });
    return sealed;
  }

  /**
   * Each HTTP request arrives in its own callback, and nats.js writes what is pending to the socket
   * once per callback: a socket write per command was 13% of the gateway's CPU under load. Held
   * until the check phase (setImmediate, no timer), every publish asked for by the requests read
   * in one poll of the event loop goes out in one write. A payload whose scope's key this process
   * had to fetch holds back those asked for after it, so they still go out in the order asked.
   */
  private atEndOfTurn<T>(
    sealing: Promise<SealedPayload>,
    send: (ready: SealedPayload) => Promise<T>,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiting: Waiting = {
        sealing,
        sealed: false,
        send: () => sealing.then(send).then(resolve, reject),
      };
      void sealing.then(
        () => (waiting.sealed = true),
        () => (waiting.sealed = true),
      );
      if (this.waiting.push(waiting) === 1) setImmediate(this.sendWaiting);
    });
  }

  private readonly sendWaiting = (): void => {
    const batch = this.waiting;
    this.waiting = [];
    this.sending = this.sending.then(() => this.sendInOrder(batch));
  };

  private async sendInOrder(batch: Waiting[]): Promise<void> {
    for (const waiting of batch) {
      if (!waiting.sealed) await waiting.sealing.catch(() => undefined);
      waiting.send();
    }
  }

  async query<T>(subject: string, payload: unknown, timeoutMs = 5_000): Promise<T> {
    let reply: QueryReply<T>;
    try {
      const msg = await this.nc.request(subject, JSON.stringify(payload), {
        timeout: timeoutMs,
        headers: traceHeaders(),
      });
      reply = msg.json<QueryReply<T>>();
    } catch (error) {
      throw new BrokerUnavailable(`no answer on ${subject}: ${(error as Error).message}`);
    }
    if (!reply.ok) throw new QueryRejected(reply.problem.status, reply.problem.title, reply.problem.detail);
    return reply.data;
  }
}
