import { DynamicModule, Global, Module } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/nats-core';
import { JetStreamPublisher, NATS_CONNECTION } from './jetstream.publisher';

/** Makes the process's single NATS connection and the publisher injectable everywhere. */
@Global()
@Module({})
export class JetStreamModule {
  static forConnection(nc: NatsConnection): DynamicModule {
    return {
      module: JetStreamModule,
      providers: [{ provide: NATS_CONNECTION, useValue: nc }, JetStreamPublisher],
      exports: [NATS_CONNECTION, JetStreamPublisher],
    };
  }
}
