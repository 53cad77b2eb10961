import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { EventSource } from 'eventsource';
import { ParleySystem, TEST_ADMIN_TOKEN, waitFor } from '@parley/testing';
import { clientOf, newAgent, newCustomer, openConversation } from './support/actors';

const ASSETS = join(__dirname, '../deploy/observability');

/** Metric names a PromQL expression uses, without the histogram suffixes Prometheus adds. */
function metricsIn(expr: string): string[] {
  return [...expr.matchAll(/\b(parley_[a-z_]+|process_[a-z_]+)\b/g)].map((m) =>
    m[1].replace(/_(bucket|count|sum)$/, ''),
  );
}

describe('metrics, dashboard and alerts', () => {
  let system: ParleySystem;

  beforeAll(async () => {
    system = await ParleySystem.start({
      PARLEY_WEBHOOK_RETRY_SCHEDULE: '1',
      PARLEY_WEBHOOK_TIMEOUT_MS: '500',
      // The webhook below points at a closed port on loopback, which must be allowed to be tried.
      PARLEY_WEBHOOK_ALLOWED_NETWORKS: '127.0.0.0/8',
      // A served request's access line is written at debug.
      LOG_LEVEL: 'debug',
    });
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
  });

  it('exports every metric the Grafana dashboard and the alert rules use', async () => {
    const customer = await newCustomer(system);
    await newAgent(system);
    // Registered before the message: webhooks and conversations are in different partitions.
    await clientOf(system, TEST_ADMIN_TOKEN).POST('/v1/webhooks', {
      body: { url: 'http://127.0.0.1:9/nobody-listens', events: ['message.created'] },
      headers: { prefer: 'wait=10' },
    });
    const stream = new EventSource(`${system.gatewayUrl}/v1/inbox/stream`, {
      fetch: (input, init) =>
        fetch(input, {
          ...init,
          headers: { ...(init?.headers as object), authorization: `Bearer ${customer.token}` },
        }),
    });
    try {
      await openConversation(system, customer, { body: 'measure me' });
      const scrape = async () =>
        (
          await Promise.all(
            Object.values(system.services).map(async (s) => (await fetch(`${s.url}/metrics`)).text()),
          )
        ).join('\n');
      const text = await waitFor('webhook attempts and an open stream in the metrics', async () => {
        const all = await scrape();
        return /parley_webhook_attempts_total\{outcome="(retried|failed)"\} [1-9]/.test(all) &&
          /parley_inbox_connections\{kind="stream"\} 1/.test(all)
          ? all
          : undefined;
      });
      // One series per partition's durable (`conversation-p0` …).
      expect(text).toMatch(/parley_consumer_pending\{consumer="conversation-p\d+"\} 0/);
      expect(text).toMatch(/parley_consumer_ack_pending\{consumer="delivery-p\d+"\} \d/);
      expect(text).toMatch(
        /parley_consumer_handle_duration_seconds_count\{consumer="history-p\d+",subject="parley.evt.message.created"\} [1-9]/,
      );
      expect(text).toMatch(
        /parley_http_request_duration_seconds_count\{method="POST",route="\/v1\/conversations",status="202"\} 1/,
      );
      // Every service, the gateway included, watches the streams' consumers for expiry.
      for (const [name, service] of Object.entries(system.services)) {
        expect([name, await (await fetch(`${service.url}/metrics`)).text()]).toEqual([
          name,
          expect.stringMatching(/^parley_stream_max_age_seconds\{stream="PARLEY_EVENTS"\} 604800$/m),
        ]);
      }
      expect(text).toMatch(
        /^parley_consumer_oldest_pending_age_seconds\{stream="PARLEY_COMMANDS",consumer="conversation[^"]*"\} \d/m,
      );
      const exported = new Set([...text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]));

      const dashboard = JSON.parse(readFileSync(join(ASSETS, 'grafana-dashboard.json'), 'utf8'));
      const rules = parse(readFileSync(join(ASSETS, 'prometheus-rules.yaml'), 'utf8'));
      const used = [
        ...dashboard.panels.flatMap((p: { targets: Array<{ expr: string }> }) =>
          p.targets.flatMap((t) => metricsIn(t.expr)),
        ),
        ...rules.groups.flatMap((g: { rules: Array<{ expr: string }> }) =>
          g.rules.flatMap((r) => metricsIn(r.expr)),
        ),
      ];
      expect(used.length).toBeGreaterThan(10);
      expect([...new Set(used)].filter((m) => !exported.has(m))).toEqual([]);
    } finally {
      stream.close();
    }
    await waitFor('the stream closed in the metrics', async () =>
      /parley_inbox_connections\{kind="stream"\} 0/.test(
        await (await fetch(`${system.gatewayUrl}/metrics`)).text(),
      ),
    );
  });

  it('logs each API request once, as JSON with its correlation id, and never a token or an idempotency key', async () => {
    const customer = await newCustomer(system);
    const res = await fetch(`${system.gatewayUrl}/v1/conversations`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${customer.token}`,
        'content-type': 'application/json',
        'idempotency-key': 'idem-key-that-must-not-be-logged',
        'x-correlation-id': 'corr-access-log-1',
      },
      body: JSON.stringify({ body: 'Where is my parcel?' }),
    });
    expect(res.status).toBe(202);

    const gatewayLines = () =>
      system.services.gateway
        .recentOutput(500)
        .split('\n')
        .flatMap((line) => {
          try {
            return [JSON.parse(line) as Record<string, unknown>];
          } catch {
            return []; // not a log line, or one still being written
          }
        });
    const logged = await waitFor('the access log line', async () => {
      const lines = gatewayLines().filter((l) => l.correlationId === 'corr-access-log-1');
      return lines.some((l) => l.msg === 'request completed') && lines;
    });
    const access = logged.filter((l) => l.msg === 'request completed');
    expect(access).toHaveLength(1);
    expect(access[0]).toMatchObject({
      level: 20,
      service: 'gateway',
      req: { method: 'POST', url: '/v1/conversations' },
      res: { statusCode: 202 },
    });
    expect(access[0].responseTime).toEqual(expect.any(Number));
    // Probes run every few hundred milliseconds; logging them would drown everything else.
    expect(
      gatewayLines().some((l) => /^\/(health|metrics)/.test((l.req as { url?: string })?.url ?? '')),
    ).toBe(false);
    for (const service of Object.values(system.services)) {
      const printed = service.recentOutput(500);
      expect(printed).not.toContain(customer.token);
      expect(printed).not.toContain('idem-key-that-must-not-be-logged');
    }
  });
});
