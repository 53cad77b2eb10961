import { DynamicModule, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { openServiceDataSource, ServiceDataSourceOptions } from './database';
import { Outbox, OUTBOX_OPTIONS, OutboxOptions } from './outbox';

/** Provides the service's TypeORM DataSource, migrated, and closes its pool last at shutdown. */
@Module({})
export class PersistenceModule implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  /** `outbox`: the service writes events through a transactional outbox in its schema. */
  static forService(
    options: ServiceDataSourceOptions & { outbox?: Omit<OutboxOptions, 'schema'> },
  ): DynamicModule {
    return {
      module: PersistenceModule,
      global: true,
      providers: [
        { provide: DataSource, useFactory: () => openServiceDataSource(options) },
        ...(options.outbox
          ? [
              {
                provide: OUTBOX_OPTIONS,
                useValue: { schema: options.schema, ...options.outbox },
              },
              Outbox,
            ]
          : []),
      ],
      exports: [DataSource, ...(options.outbox ? [Outbox] : [])],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
