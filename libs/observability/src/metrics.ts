import { Controller, Get, Header, Module } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import type { ConsumerObserver } from '@parley/jetstream';

/** The process's Prometheus registry; every metric Parley exposes is registered here. */
export const registry = new Registry();
collectDefaultMetrics({ register: registry });

const httpDuration = new Histogram({
  name: 'parley_http_request_duration_seconds',
  help: 'HTTP request latency by route',
  labelNames: ['method', 'route', 'status'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 30],
  registers: [registry],
});

const consumerHandled = new Histogram({
  name: 'parley_consumer_handle_duration_seconds',
  help: 'Time to handle one JetStream message, by durable consumer',
  labelNames: ['consumer', 'subject'],
  buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
  registers: [registry],
});

const consumerFailures = new Counter({
  name: 'parley_consumer_failures_total',
  help: 'JetStream messages whose handler failed, by outcome (retried or dead-lettered)',
  labelNames: ['consumer', 'subject', 'outcome'],
  registers: [registry],
});

const consumerRedelivered = new Counter({
  name: 'parley_consumer_redelivered_total',
  help: 'JetStream messages handled again after a failure, a timeout or a crash, by durable consumer',
  labelNames: ['consumer'],
  registers: [registry],
});

const deadLetters = new Counter({
  name: 'parley_dead_letters_total',
  help: 'Messages a consumer gave up on and sent to the dead-letter stream',
  labelNames: ['consumer', 'subject'],
  registers: [registry],
});

const consumerUnhandled = new Counter({
  name: 'parley_consumer_unhandled_total',
  help: 'Messages offered back because this build has no handler for their subject (a rolling upgrade)',
  labelNames: ['consumer', 'subject'],
  registers: [registry],
});

const consumerErased = new Counter({
  name: 'parley_consumer_erased_total',
  help: 'Messages acked without a handler because their content key was destroyed (erased content)',
  labelNames: ['consumer', 'subject'],
  registers: [registry],
});

const consumerPaused = new Gauge({
  name: 'parley_consumer_paused',
  help: '1 while a consumer waits for its database or broker to come back (not counted as failures)',
  labelNames: ['consumer'],
  registers: [registry],
});

export const consumerMetrics: ConsumerObserver = {
  handled: (consumer, subject, seconds) => consumerHandled.observe({ consumer, subject }, seconds),
  failed: (consumer, subject, outcome) => {
    consumerFailures.inc({ consumer, subject, outcome });
    if (outcome === 'dead-lettered') deadLetters.inc({ consumer, subject });
  },
  redelivered: (consumer) => consumerRedelivered.inc({ consumer }),
  unhandled: (consumer, subject) => consumerUnhandled.inc({ consumer, subject }),
  paused: (consumer, paused) => consumerPaused.set({ consumer }, paused ? 1 : 0),
  erased: (consumer, subject) => consumerErased.inc({ consumer, subject }),
};

export interface ConsumerLagSource {
  /** Pending (not yet delivered) and ack-pending (delivered, not yet acked) counts per durable. */
  lag(): Promise<Array<{ consumer: string; pending: number; ackPending: number }>>;
}

/** Consumer lag, read from JetStream's consumer info at every scrape. */
export function registerConsumerLag(source: ConsumerLagSource): void {
  // One consumer-info round per scrape, shared by both gauges (prom-client collects them together).
  let round: Promise<Awaited<ReturnType<ConsumerLagSource['lag']>>> | undefined;
  const read = () => {
    round ??= source
      .lag()
      .catch(() => [])
      .finally(() => setTimeout(() => (round = undefined), 100));
    return round;
  };
  new Gauge({
    name: 'parley_consumer_pending',
    help: 'Messages in the stream not yet delivered to the durable consumer (its backlog)',
    labelNames: ['consumer'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const c of await read()) this.set({ consumer: c.consumer }, c.pending);
    },
  });
  new Gauge({
    name: 'parley_consumer_ack_pending',
    help: 'Messages delivered to the durable consumer and not yet acknowledged',
    labelNames: ['consumer'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const c of await read()) this.set({ consumer: c.consumer }, c.ackPending);
    },
  });
}

export const webhookAttempts = new Counter({
  name: 'parley_webhook_attempts_total',
  help: 'Webhook delivery attempts by outcome (succeeded, retried, failed)',
  labelNames: ['outcome'],
  registers: [registry],
});

export const inboxConnections = new Gauge({
  name: 'parley_inbox_connections',
  help: 'Open inbox streams (SSE) and held long-polls at this gateway',
  labelNames: ['kind'],
  registers: [registry],
});

/**
 * HTTP latency by method, route and status, taken as Fastify finishes each response: the status is
 * the one sent (after errors became problems), and no per-request interceptor chain is needed for
 * it (two Nest interceptors were a tenth of the gateway's CPU per request: docs/performance.md).
 */
export function measureHttp(fastify: FastifyInstance): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    httpDuration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unknown',
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
    done();
  });
}

@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  @Get()
  @Header('content-type', registry.contentType)
  scrape(): Promise<string> {
    return registry.metrics();
  }
}

@Module({ controllers: [MetricsController] })
export class MetricsModule {}
