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
import { BrokerUnavailable, QueryRejected } from './errors';
import { currentTrace, TraceContext, traceHeaders } from './trace-context';

export const NATS_CONNECTION = Symbol('NATS_CONNECTION');
/** How many partitions the command and event streams have (`PARLEY_PARTITIONS`). */
export const PARTITIONS = Symbol('PARTITIONS');

/** Publishes commands and events durably and asks other services questions. */
@Injectable()
export class JetStreamPublisher {
  private readonly js: JetStreamClient;
  /** Publishes asked for during this turn of the event loop, sent together at its end. */
  private waiting: Array<() => void> = [];

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(PARTITIONS) private readonly partitions: number,
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
   * one; `headers` are added to the trace's.
   */
  async publish(
    subject: string,
    payload: unknown,
    msgId: string,
    trace?: TraceContext,
    headers?: Record<string, string>,
  ): Promise<PubAck> {
    const data = JSON.stringify(payload);
    if (partitionOfSubject(subject) === undefined) subject = subjectFor(subject, payload, this.partitions);
    const options = { msgID: msgId, headers: traceHeaders(undefined, trace ?? currentTrace()) };
    for (const [name, value] of Object.entries(headers ?? {})) options.headers.set(name, value);
    try {
      return await this.atEndOfTurn(() => this.js.publish(subject, data, options));
    } catch (error) {
      throw new BrokerUnavailable(`JetStream did not store ${subject}: ${(error as Error).message}`);
    }
  }

  /**
   * Each HTTP request arrives in its own callback, and nats.js writes what is pending to the socket
   * once per callback: a socket write per command was 13% of the gateway's CPU under load. Held
   * until the check phase (setImmediate, no timer), every publish asked for by the requests read
   * in one poll of the event loop goes out in one write.
   */
  private atEndOfTurn<T>(send: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.waiting.push(() => send().then(resolve, reject)) === 1) setImmediate(this.sendWaiting);
    });
  }

  private readonly sendWaiting = (): void => {
    const batch = this.waiting;
    this.waiting = [];
    for (const send of batch) send();
  };

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
