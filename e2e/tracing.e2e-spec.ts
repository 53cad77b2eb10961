import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { ParleySystem, waitFor } from '@parley/testing';
import { Actor, clientOf, newCustomer } from './support/actors';

interface CollectedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: Record<string, unknown>;
}

/** An OTLP/HTTP (JSON) receiver on localhost: what a collector would get. */
async function collector(): Promise<{ url: string; server: Server; spans: CollectedSpan[] }> {
  const spans: CollectedSpan[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      if (req.url !== '/v1/traces') return;
      const payload = JSON.parse(body || '{}');
      for (const rs of payload.resourceSpans ?? []) {
        const service = rs.resource?.attributes?.find((a: { key: string }) => a.key === 'service.name')?.value
          ?.stringValue;
        for (const ss of rs.scopeSpans ?? []) {
          for (const s of ss.spans ?? []) {
            const attributes = Object.fromEntries(
              (s.attributes ?? []).map((a: { key: string; value: Record<string, unknown> }) => [
                a.key,
                Object.values(a.value)[0],
              ]),
            );
            spans.push({
              service,
              traceId: s.traceId,
              spanId: s.spanId,
              parentSpanId: s.parentSpanId,
              name: s.name,
              attributes,
            });
          }
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, spans };
}

describe('tracing', () => {
  let system: ParleySystem;
  let otlp: Awaited<ReturnType<typeof collector>>;
  let customer: Actor;

  beforeAll(async () => {
    otlp = await collector();
    system = await ParleySystem.start({
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      OTEL_BSP_SCHEDULE_DELAY: '200',
    });
    customer = await newCustomer(system);
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
    otlp?.server.close();
  });

  it('follows one trace id from the POST through every hop to the stored message', async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const opened = await clientOf(system, customer).POST('/v1/conversations', {
      headers: { traceparent: `00-${traceId}-b7ad6b7169203331-01` },
      body: { body: 'trace me end to end' },
    });
    expect(opened.response.status).toBe(202);

    const trace = await waitFor(
      'spans from every service',
      async () => {
        const mine = otlp.spans.filter((s) => s.traceId === traceId);
        const services = new Set(mine.map((s) => s.service));
        const stored = mine.some(
          (s) =>
            s.service === 'history' &&
            String(s.attributes['db.query.text'] ?? s.attributes['db.statement'] ?? '').includes(
              'INSERT INTO history.messages',
            ),
        );
        return ['gateway', 'conversation', 'history', 'delivery'].every((n) => services.has(n)) && stored
          ? mine
          : undefined;
      },
      30_000,
      250,
    ).catch((error) => {
      const seen = otlp.spans.map(
        (s) =>
          `${s.service} ${s.traceId.slice(0, 8)} ${s.name} ${JSON.stringify(s.attributes).slice(0, 120)}`,
      );
      throw new Error(`${error.message}\n${seen.slice(0, 40).join('\n')}`);
    });
    const byName = (service: string, name: string) =>
      trace.find((s) => s.service === service && s.name.startsWith(name));
    const request = byName('gateway', 'POST /v1/conversations');
    const command = byName('conversation', 'handle parley.cmd.conversation.open');
    const storedEvent = byName('history', 'handle parley.evt.message.created');
    expect(request?.parentSpanId).toBe('b7ad6b7169203331');
    expect(command?.parentSpanId).toBe(request?.spanId);
    expect(trace.some((s) => s.parentSpanId === storedEvent?.spanId && s.service === 'history')).toBe(true);
    expect(byName('delivery', 'handle parley.evt.message.created')).toBeDefined();
  });
});
