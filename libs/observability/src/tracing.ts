import { NodeSDK } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';

let sdk: NodeSDK | undefined;

/**
 * OpenTelemetry, exported by OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set (and off otherwise).
 * Spans: each HTTP request at the gateway, each JetStream message a service handles (its parent
 * taken from the message's traceparent header), and each PostgreSQL query under them.
 */
export function startTracing(serviceName: string): void {
  if (sdk || !process.env.OTEL_EXPORTER_OTLP_ENDPOINT) return;
  // Metrics are Prometheus' job (GET /metrics) and logs go to stdout: only traces go by OTLP.
  process.env.OTEL_METRICS_EXPORTER ??= 'none';
  process.env.OTEL_LOGS_EXPORTER ??= 'none';
  sdk = new NodeSDK({
    resource: resourceFromAttributes({ 'service.name': process.env.OTEL_SERVICE_NAME ?? serviceName }),
    traceExporter: new OTLPTraceExporter(),
    // TypeORM loads `pg` when the data source is created, after this runs, so its queries are traced.
    instrumentations: [new PgInstrumentation({ requireParentSpan: true })],
  });
  sdk.start();
}

/** Flushes the spans still buffered; part of a graceful shutdown. */
export async function stopTracing(): Promise<void> {
  await sdk?.shutdown().catch(() => undefined);
}
