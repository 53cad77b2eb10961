import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { CORRELATION_HEADER, continueTrace, runInTrace, TRACEPARENT_HEADER } from '@parley/jetstream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Observable } from 'rxjs';

/** Opens the request's trace context so every command and query it causes carries the same ids. */
@Injectable()
export class TraceInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const trace = continueTrace(
      request.headers[CORRELATION_HEADER] as string | undefined,
      request.headers[TRACEPARENT_HEADER] as string | undefined,
    );
    void http.getResponse<FastifyReply>().header(CORRELATION_HEADER, trace.correlationId);
    return new Observable((subscriber) => runInTrace(trace, () => next.handle().subscribe(subscriber)));
  }
}
