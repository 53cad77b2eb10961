import { Controller, Get, Inject, Module, Optional } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
import type { NatsConnection } from '@nats-io/nats-core';
import { JetStreamServer, NATS_CONNECTION } from '@parley/jetstream';
import { DataSource } from 'typeorm';

/** Liveness says the process runs; readiness says NATS, the database and the consumers are in place. */
@ApiExcludeController()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(JetStreamServer) private readonly transport: JetStreamServer,
    @Optional() @Inject(DataSource) private readonly dataSource?: DataSource,
  ) {}

  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  ready() {
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
      async () => {
        const database = this.indicators.check('database');
        if (!this.dataSource) return database.up({ used: false });
        try {
          await this.dataSource.query('SELECT 1');
          return database.up();
        } catch (error) {
          return database.down({ reason: (error as Error).message });
        }
      },
    ]);
  }
}

@Module({ imports: [TerminusModule.forRoot({ logger: false })], controllers: [HealthController] })
export class HealthModule {}
