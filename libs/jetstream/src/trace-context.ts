import { AsyncLocalStorage } from 'node:async_hooks';
import { randomFillSync, randomUUID } from 'node:crypto';
import { headers as natsHeaders, MsgHdrs } from '@nats-io/nats-core';
import { Context, context, isSpanContextValid, propagation, Span, SpanKind, trace } from '@opentelemetry/api';

/**
 * The correlation id and W3C trace context of the work in progress. The gateway opens one per
 * HTTP request; the transport restores it from message headers, so every hop carries it onward.
 */
export interface TraceContext {
  correlationId: string;
  traceparent: string;
}

export const CORRELATION_HEADER = 'x-correlation-id';
export const TRACEPARENT_HEADER = 'traceparent';

const storage = new AsyncLocalStorage<TraceContext>();
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export function currentTrace(): TraceContext | undefined {
  return storage.getStore();
}

export function runInTrace<T>(context: TraceContext, work: () => T): T {
  return storage.run(context, work);
}

/**
 * Random ids come from a pool refilled 4 KiB at a time: a `randomBytes` call per id was a
 * system call per request, 3% of the gateway's CPU under load (docs/performance.md).
 */
const pool = Buffer.alloc(4096);
let used = pool.length;

function randomHex(bytes: number): string {
  if (used + bytes > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  used += bytes;
  return pool.toString('hex', used - bytes, used);
}

/** A context continuing the caller's trace (or starting one) with a fresh span id for this hop. */
export function continueTrace(correlationId?: string | null, traceparent?: string | null): TraceContext {
  const match = traceparent ? TRACEPARENT.exec(traceparent) : null;
  const traceId = match ? match[1] : randomHex(16);
  const flags = match ? match[3] : '01';
  return {
    correlationId: correlationId && correlationId.length <= 128 ? correlationId : randomUUID(),
    traceparent: `00-${traceId}-${randomHex(8)}-${flags}`,
  };
}

export function traceFromHeaders(h?: MsgHdrs): TraceContext {
  return continueTrace(h?.get(CORRELATION_HEADER), h?.get(TRACEPARENT_HEADER));
}

const tracer = trace.getTracer('parley');

/** The OpenTelemetry context a W3C traceparent points to. */
function parentOf(traceparent: string | null | undefined): Context {
  return traceparent ? propagation.extract(context.active(), { traceparent }) : context.active();
}

/**
 * Runs `work` in a span (when tracing is on) and in the matching trace context, so what it
 * publishes carries this span as parent. Without tracing, the context continues the incoming trace.
 */
export function runInSpan<T>(
  name: string,
  kind: 'server' | 'consumer',
  correlationId: string | null | undefined,
  traceparent: string | null | undefined,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  return tracer.startActiveSpan(
    name,
    { kind: kind === 'server' ? SpanKind.SERVER : SpanKind.CONSUMER },
    parentOf(traceparent),
    async (span) => {
      const own = span.spanContext();
      const fallback = continueTrace(correlationId, traceparent);
      const current: TraceContext = isSpanContextValid(own)
        ? {
            correlationId: fallback.correlationId,
            traceparent: `00-${own.traceId}-${own.spanId}-0${own.traceFlags & 1}`,
          }
        : fallback;
      try {
        return await runInTrace(current, () => work(span));
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: 2 });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/** Headers carrying the given trace context, or the current one. */
export function traceHeaders(
  h: MsgHdrs = natsHeaders(),
  trace: TraceContext | undefined = currentTrace(),
): MsgHdrs {
  const context = trace;
  if (context) {
    h.set(CORRELATION_HEADER, context.correlationId);
    h.set(TRACEPARENT_HEADER, context.traceparent);
  }
  return h;
}
