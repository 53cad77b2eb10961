import { CORRELATION_HEADER, currentTrace, runInSpan, TRACEPARENT_HEADER } from '@parley/jetstream';
import type { FastifyInstance, RouteHandlerMethod } from 'fastify';

const header = (value: string | string[] | undefined) => (typeof value === 'string' ? value : undefined);

/**
 * Runs every API route's handler in its request's span and trace context, so every command and
 * query it causes carries the same correlation id and trace (continuing the caller's
 * `traceparent` when it sent one). Wrapping the route's handler costs one closure per request; the
 * Nest interceptor it replaces cost an rxjs chain and two async-resource bindings
 * (docs/performance.md). Guards, pipes and Nest's exception filter run inside the handler, so
 * inside the context too.
 */
export function traceRequests(fastify: FastifyInstance): void {
  fastify.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/v1/')) return;
    const handle: RouteHandlerMethod = route.handler;
    const name = `${[route.method].flat().join(',')} ${route.url}`;
    route.handler = function traced(request, reply) {
      return runInSpan(
        name,
        'server',
        header(request.headers[CORRELATION_HEADER]),
        header(request.headers[TRACEPARENT_HEADER]),
        async (span) => {
          void reply.header(CORRELATION_HEADER, currentTrace()?.correlationId);
          const result: unknown = await handle.call(this, request, reply);
          span.setAttribute('http.response.status_code', reply.statusCode);
          return result;
        },
      );
    };
  });
}
