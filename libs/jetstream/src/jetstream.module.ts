import { DynamicModule, Global, Module } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/nats-core';
import { DEFAULT_PARTITIONS } from '@parley/contracts';
import { JetStreamPublisher, NATS_CONNECTION, PARTITIONS } from './jetstream.publisher';

/**
 * Makes the process's single NATS connection, the publisher and the number of partitions
 * (`PARTITIONS`) injectable everywhere.
 */
@Global()
@Module({})
export class JetStreamModule {
  static forConnection(nc: NatsConnection, partitions = DEFAULT_PARTITIONS): DynamicModule {
    return {
      module: JetStreamModule,
      providers: [
        { provide: NATS_CONNECTION, useValue: nc },
        { provide: PARTITIONS, useValue: partitions },
        JetStreamPublisher,
      ],
      exports: [NATS_CONNECTION, PARTITIONS, JetStreamPublisher],
    };
  }
}
