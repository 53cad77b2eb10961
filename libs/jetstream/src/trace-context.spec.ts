import { continueTrace, currentTrace, runInTrace, traceFromHeaders, traceHeaders } from './trace-context';

describe('trace context', () => {
  it('continues a W3C trace with a new span id and keeps the correlation id', () => {
    const incoming = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const next = continueTrace('corr-1', incoming);
    expect(next.correlationId).toBe('corr-1');
    expect(next.traceparent).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
    expect(next.traceparent).not.toBe(incoming);
  });

  it('starts a new trace when the header is missing or malformed', () => {
    const next = continueTrace(undefined, 'garbage');
    expect(next.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(next.correlationId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('carries the context through message headers across a hop', () => {
    const origin = continueTrace('corr-2');
    const headers = runInTrace(origin, () => traceHeaders());
    const received = traceFromHeaders(headers);
    expect(received.correlationId).toBe('corr-2');
    expect(received.traceparent.slice(3, 35)).toBe(origin.traceparent.slice(3, 35));
    expect(currentTrace()).toBeUndefined();
  });

  it('gives every new trace its own ids, also across refills of the random pool', () => {
    // 24 random bytes per new trace: 1,000 traces use the 4 KiB pool up several times over.
    const traces = Array.from({ length: 1_000 }, () => continueTrace('corr').traceparent);
    expect(new Set(traces.map((t) => t.slice(3, 35))).size).toBe(traces.length);
    expect(new Set(traces.map((t) => t.slice(36, 52))).size).toBe(traces.length);
    expect(traces.every((t) => /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/.test(t))).toBe(true);
  });
});
