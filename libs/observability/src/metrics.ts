import {
  CallHandler,
  Controller,
  ExecutionContext,
  Get,
  Header,
  Injectable,
  Module,
  NestInterceptor,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { Observable, tap } from 'rxjs';
import type { ConsumerObserver } from '@parley/jetstream';

/** The process's Prometheus registry; every metric Parley exposes is registered here. */
export const registry = new Registry();
collectDefaultMetrics({ register: registry });

const httpDuration = new Histogram({
  name: 'parley_http_request_duration_seconds',
  help: 'HTTP request latency by route',
  labelNames: ['method', 'route', 'status'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 30],
  registers: [registry],
});

const consumerHandled = new Histogram({
  name: 'parley_consumer_handle_duration_seconds',
  help: 'Time to handle one JetStream message, by durable consumer',
  labelNames: ['consumer', 'subject'],
  buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
  registers: [registry],
});

const consumerFailures = new Counter({
  name: 'parley_consumer_failures_total',
  help: 'JetStream messages whose handler failed, by outcome (retried or dead-lettered)',
  labelNames: ['consumer', 'subject', 'outcome'],
  registers: [registry],
});

export const consumerMetrics: ConsumerObserver = {
  handled: (consumer, subject, seconds) => consumerHandled.observe({ consumer, subject }, seconds),
  failed: (consumer, subject, outcome) => consumerFailures.inc({ consumer, subject, outcome }),
};

@Injectable()
export class HttpMetricsInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const req = http.getRequest<{ method: string; routeOptions?: { url?: string } }>();
    const end = httpDuration.startTimer({ method: req.method, route: req.routeOptions?.url ?? 'unknown' });
    const status = () => String(http.getResponse<{ statusCode: number }>().statusCode);
    return next.handle().pipe(
      tap({
        next: () => end({ status: status() }),
        error: (error: { getStatus?: () => number }) => end({ status: String(error.getStatus?.() ?? 500) }),
      }),
    );
  }
}

@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  @Get()
  @Header('content-type', registry.contentType)
  scrape(): Promise<string> {
    return registry.metrics();
  }
}

@Module({
  controllers: [MetricsController],
  providers: [HttpMetricsInterceptor],
  exports: [HttpMetricsInterceptor],
})
export class MetricsModule {}
