import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes, randomUUID } from 'node:crypto';
import { headers as natsHeaders, MsgHdrs } from '@nats-io/nats-core';

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

/** A context continuing the caller's trace (or starting one) with a fresh span id for this hop. */
export function continueTrace(correlationId?: string | null, traceparent?: string | null): TraceContext {
  const match = traceparent ? TRACEPARENT.exec(traceparent) : null;
  const traceId = match ? match[1] : randomBytes(16).toString('hex');
  const flags = match ? match[3] : '01';
  return {
    correlationId: correlationId && correlationId.length <= 128 ? correlationId : randomUUID(),
    traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-${flags}`,
  };
}

export function traceFromHeaders(h?: MsgHdrs): TraceContext {
  return continueTrace(h?.get(CORRELATION_HEADER), h?.get(TRACEPARENT_HEADER));
}

export function traceHeaders(h: MsgHdrs = natsHeaders()): MsgHdrs {
  const context = currentTrace();
  if (context) {
    h.set(CORRELATION_HEADER, context.correlationId);
    h.set(TRACEPARENT_HEADER, context.traceparent);
  }
  return h;
}
