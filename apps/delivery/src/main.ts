import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { Durables } from '@parley/contracts';
import {
  erasureLedgerMigration,
  outboxWritersMigration,
  partitionLeasesMigration,
  PersistenceModule,
  postgresStorage,
} from '@parley/persistence';
import { runService, SERVICE_CONFIG } from '@parley/runtime';
import { SecretBox } from '@parley/secrets';
import { DeliveryEnv } from './delivery.env';
import { Inbox } from './inbox/inbox';
import { InboxCommandsHandler } from './inbox/inbox-commands.handler';
import { InboxFanOutHandler } from './inbox/inbox-fan-out.handler';
import { InboxQueriesHandler } from './inbox/inbox-queries.handler';
import { DeliveryErasureHandlers } from './privacy/delivery-erasure.handlers';
import { InitialDeliverySchema1764000000000 } from './migrations/1764000000000-initial-delivery-schema';
import { OutboxTrace1764200000000 } from './migrations/1764200000000-outbox-trace';
import { AcksWebhooks1764100000000 } from './migrations/1764100000000-acks-webhooks';
import { sealedWebhookSecretsMigration } from './migrations/1766000000000-sealed-webhook-secrets';
import { WebhookCommandsHandler } from './webhooks/webhook-commands.handler';
import { WebhookDeliveryRepository } from './webhooks/webhook-delivery.repository';
import { WebhookQueriesHandler } from './webhooks/webhook-queries.handler';
import { WebhookRepository } from './webhooks/webhook.repository';
import { WebhookSender } from './webhooks/webhook-sender';

@Module({
  controllers: [
    InboxFanOutHandler,
    InboxCommandsHandler,
    InboxQueriesHandler,
    WebhookCommandsHandler,
    WebhookQueriesHandler,
    DeliveryErasureHandlers,
  ],
  providers: [
    Inbox,
    WebhookRepository,
    WebhookDeliveryRepository,
    WebhookSender,
    {
      provide: SecretBox,
      inject: [SERVICE_CONFIG],
      useFactory: (config: DeliveryEnv) => SecretBox.fromKeyRing(config.PARLEY_SECRET_KEY),
    },
  ],
})
class DeliveryModule {}

void runService({
  name: 'delivery',
  defaultPort: 3002,
  env: DeliveryEnv,
  consumers: (config) => [
    Durables.deliveryEvents,
    Durables.deliveryCommands,
    {
      ...Durables.webhookSender,
      // Each request may take the whole timeout; the ack wait must outlast it.
      ackWaitSeconds: Math.ceil(config.PARLEY_WEBHOOK_TIMEOUT_MS / 1000) + 30,
      concurrency: config.PARLEY_WEBHOOK_CONCURRENCY,
      maxAckPending: Math.max(1000, config.PARLEY_WEBHOOK_CONCURRENCY * 4),
      // The retry schedule, not the transport, decides when a delivery has failed.
      maxDeliver: 100_000,
    },
  ],
  storage: postgresStorage,
  imports: (config) => [
    PersistenceModule.forService({
      url: config.DATABASE_URL,
      statementTimeoutMs: config.PARLEY_STATEMENT_TIMEOUT_MS,
      schema: 'delivery',
      entities: [],
      migrations: [
        InitialDeliverySchema1764000000000,
        AcksWebhooks1764100000000,
        OutboxTrace1764200000000,
        outboxWritersMigration('delivery', 'conversationId'),
        partitionLeasesMigration('delivery'),
        sealedWebhookSecretsMigration(SecretBox.fromKeyRing(config.PARLEY_SECRET_KEY)),
        erasureLedgerMigration('delivery'),
      ],
      outbox: { relayIntervalMs: config.PARLEY_OUTBOX_RELAY_INTERVAL_MS, orderedBy: 'conversationId' },
    }),
    DeliveryModule,
  ],
});
