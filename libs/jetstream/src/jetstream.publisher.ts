import { Inject, Injectable } from '@nestjs/common';
import { jetstream, JetStreamClient, PubAck } from '@nats-io/jetstream';
import { NatsConnection } from '@nats-io/nats-core';
import type { QueryReply } from '@parley/contracts';
import { BrokerUnavailable, QueryRejected } from './errors';
import { currentTrace, TraceContext, traceHeaders } from './trace-context';

export const NATS_CONNECTION = Symbol('NATS_CONNECTION');

/** Publishes commands and events durably and asks other services questions. */
@Injectable()
export class JetStreamPublisher {
  private readonly js: JetStreamClient;

  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection) {
    this.js = jetstream(nc, { timeout: 5_000 });
  }

  /**
   * Resolves only once JetStream has stored the message (PubAck). `msgId` makes a retry inside
   * the stream's duplicate window a no-op (`PubAck.duplicate`). `trace` defaults to the current one.
   */
  async publish(subject: string, payload: unknown, msgId: string, trace?: TraceContext): Promise<PubAck> {
    try {
      return await this.js.publish(subject, JSON.stringify(payload), {
        msgID: msgId,
        headers: traceHeaders(undefined, trace ?? currentTrace()),
      });
    } catch (error) {
      throw new BrokerUnavailable(`JetStream did not store ${subject}: ${(error as Error).message}`);
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
