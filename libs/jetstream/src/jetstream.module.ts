import { DynamicModule, Global, Module } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/nats-core';
import { DEFAULT_PARTITIONS } from '@parley/contracts';
import { ContentKeys, ContentKeyStore } from './content-keys';
import { ContentSeal } from './content-seal';
import { JetStreamPublisher, NATS_CONNECTION, PARTITIONS } from './jetstream.publisher';

/**
 * Makes the process's single NATS connection, the publisher, the number of partitions
 * (`PARTITIONS`), the content keys (`ContentKeys`, to destroy a scope's key) and the seal over them
 * (`ContentSeal`, for core NATS copies of events) injectable everywhere.
 */
@Global()
@Module({})
export class JetStreamModule {
  static forConnection(
    nc: NatsConnection,
    contentKeys: ContentKeyStore,
    partitions = DEFAULT_PARTITIONS,
  ): DynamicModule {
    return {
      module: JetStreamModule,
      providers: [
        { provide: NATS_CONNECTION, useValue: nc },
        { provide: PARTITIONS, useValue: partitions },
        { provide: ContentKeyStore, useValue: contentKeys },
        { provide: ContentKeys, useExisting: ContentKeyStore },
        { provide: ContentSeal, useValue: new ContentSeal(contentKeys) },
        JetStreamPublisher,
      ],
      exports: [NATS_CONNECTION, PARTITIONS, ContentKeyStore, ContentKeys, ContentSeal, JetStreamPublisher],
    };
  }
}
