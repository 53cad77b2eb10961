import { DynamicModule } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { LoggerModule, PinoLogger } from 'nestjs-pino';
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

/**
 * How log lines are written: `json`, one object a line, or `pretty`, one readable line through
 * pino-pretty (a development dependency) for a person at a terminal.
 */
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Readable lines: the clock time, level and message, then the fields; `npm start` prefixes the service. */
const PRETTY = {
  target: 'pino-pretty',
  options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service', singleLine: true },
};

/** One log line per event, tagged with the service and the current correlation and trace ids. */
export function loggingModule(service: string, level: string, format: LogFormat = 'json'): DynamicModule {
  return LoggerModule.forRoot({
    pinoHttp: {
      level,
      base: { service },
      ...(format === 'pretty' ? { transport: PRETTY } : {}),
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      mixin() {
        const trace = currentTrace();
        return trace ? { correlationId: trace.correlationId, traceId: trace.traceparent.slice(3, 35) } : {};
      },
      serializers: {
        req: (req: { method: string; url: string; id: unknown }) => ({
          id: req.id,
          method: req.method,
          url: req.url,
        }),
        // The status only: every response's security headers on every line would drown the rest.
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    },
    // No per-request middleware: pino-http's child logger, its AsyncLocalStorage scope and the
    // middleware layer ran on every request, even when nothing was logged (docs/performance.md).
    // The access log is written by `logHttpRequests` instead, and log lines carry the request's
    // ids through the mixin above.
    forRoutes: [],
  });
}

const QUIET = /^\/(health|metrics)/;

/** A request the server failed is an error, one it refused is worth noting, a served one is detail. */
function accessLevel(statusCode: number): 'error' | 'info' | 'debug' {
  if (statusCode >= 500) return 'error';
  return statusCode >= 400 ? 'info' : 'debug';
}

/**
 * The access log: one line per answered request (health and metrics excepted), as pino-http wrote
 * it; the request's correlation and trace ids come from the mixin, since the hook runs in the
 * request's context. Costs nothing when the request's level is not logged.
 */
export function logHttpRequests(fastify: FastifyInstance): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const log = PinoLogger.root;
    const level = accessLevel(reply.statusCode);
    const failed = level === 'error';
    if (log.isLevelEnabled(level) && !QUIET.test(request.url)) {
      log[level](
        {
          req: { id: request.id, method: request.method, url: request.url },
          // pino-http's serializers (wrapped around ours above) read the raw objects.
          res: reply.raw,
          responseTime: Math.round(reply.elapsedTime),
        },
        failed ? 'request errored' : 'request completed',
      );
    }
    done();
  });
}
