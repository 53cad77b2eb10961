import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { Durables } from '@parley/contracts';
import { PersistenceModule } from '@parley/persistence';
import { runService, ServiceEnv } from '@parley/runtime';
import { DeliveryHandlers } from './inbox/delivery.handlers';
import { Inbox } from './inbox/inbox';
import { InitialDeliverySchema1764000000000 } from './migrations/1764000000000-initial-delivery-schema';

@Module({ controllers: [DeliveryHandlers], providers: [Inbox] })
class DeliveryModule {}

void runService({
  name: 'delivery',
  defaultPort: 3002,
  env: ServiceEnv,
  consumers: [Durables.deliveryEvents],
  imports: (config) => [
    PersistenceModule.forService({
      url: config.DATABASE_URL,
      schema: 'delivery',
      entities: [],
      migrations: [InitialDeliverySchema1764000000000],
    }),
    DeliveryModule,
  ],
});
