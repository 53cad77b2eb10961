import { DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { currentTrace } from '@parley/jetstream';

/** Fields never written to logs in clear. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["idempotency-key"]',
  '*.token',
  '*.secret',
  '*.password',
];

/** One JSON line per log event, tagged with the service and the current correlation and trace ids. */
export function loggingModule(service: string, level: string): DynamicModule {
  return LoggerModule.forRoot({
    pinoHttp: {
      level,
      base: { service },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      mixin() {
        const trace = currentTrace();
        return trace ? { correlationId: trace.correlationId, traceId: trace.traceparent.slice(3, 35) } : {};
      },
      autoLogging: { ignore: (req) => /^\/(health|metrics)/.test(req.url ?? '') },
      serializers: {
        req: (req: { method: string; url: string; id: unknown }) => ({
          id: req.id,
          method: req.method,
          url: req.url,
        }),
      },
    },
  });
}
