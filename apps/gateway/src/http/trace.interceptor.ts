import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { CORRELATION_HEADER, currentTrace, runInSpan, TRACEPARENT_HEADER } from '@parley/jetstream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Observable } from 'rxjs';

/**
 * Opens the request's span and trace context, so every command and query it causes carries the
 * same correlation id and trace (continuing the caller's `traceparent` when it sent one).
 */
@Injectable()
export class TraceInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const name = `${request.method} ${request.routeOptions?.url ?? request.url.split('?')[0]}`;
    return new Observable((subscriber) => {
      void runInSpan(
        name,
        'server',
        request.headers[CORRELATION_HEADER] as string | undefined,
        request.headers[TRACEPARENT_HEADER] as string | undefined,
        (span) => {
          void reply.header(CORRELATION_HEADER, currentTrace()?.correlationId);
          return new Promise<void>((done) => {
            next.handle().subscribe({
              next: (value) => subscriber.next(value),
              error: (error) => {
                span.recordException(error as Error);
                subscriber.error(error);
                done();
              },
              complete: () => {
                span.setAttribute('http.response.status_code', reply.statusCode);
                subscriber.complete();
                done();
              },
            });
          });
        },
      );
    });
  }
}
