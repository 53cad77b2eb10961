import { Controller, DynamicModule, Get, Inject, Module, Optional, Type } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorResult,
  HealthIndicatorService,
  TerminusModule,
} from '@nestjs/terminus';
import type { NatsConnection } from '@nats-io/nats-core';
import { JetStreamServer, NATS_CONNECTION } from '@parley/jetstream';

/** A dependency readiness waits for besides NATS and the consumers: the service's storage. */
export interface ReadinessIndicator {
  check(): Promise<HealthIndicatorResult>;
}

const STORAGE_READINESS = Symbol('STORAGE_READINESS');

/** Liveness says the process runs; readiness says NATS, the consumers and the storage are in place. */
@ApiExcludeController()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(JetStreamServer) private readonly transport: JetStreamServer,
    @Optional() @Inject(STORAGE_READINESS) private readonly storage?: ReadinessIndicator,
  ) {}

  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    const storage = this.storage;
    return this.health.check([
      async () => {
        const nats = this.indicators.check('nats');
        const rtt = Promise.race([
          this.nc.rtt(),
          new Promise<null>((resolve) => setTimeout(() => resolve(null), 1_000).unref()),
        ]).catch(() => null);
        return this.nc.isClosed() || (await rtt) === null
          ? nats.down({ server: this.nc.getServer() })
          : nats.up({ server: this.nc.getServer() });
      },
      async () => {
        const streams = this.indicators.check('streams');
        return this.transport.isReady() ? streams.up() : streams.down();
      },
      ...(storage ? [() => storage.check()] : []),
    ]);
  }
}

@Module({})
export class HealthModule {
  static forService(storage?: Type<ReadinessIndicator>): DynamicModule {
    return {
      module: HealthModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController],
      providers: storage ? [{ provide: STORAGE_READINESS, useClass: storage }] : [],
    };
  }
}
