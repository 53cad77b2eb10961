import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { Durables } from '@parley/contracts';
import { partitionLeasesMigration, PersistenceModule, postgresStorage } from '@parley/persistence';
import { runService, SERVICE_CONFIG } from '@parley/runtime';
import { LinkSigner } from '@parley/secrets';
import { InboundMailModule } from './inbound/inbound-mail.module';
import { MailEnv } from './mail.env';
import { InitialMailSchema1767000000000 } from './migrations/1767000000000-initial-mail-schema';
import { InboundMail1767100000000 } from './migrations/1767100000000-inbound-mail';

@Module({
  providers: [
    {
      provide: LinkSigner,
      inject: [SERVICE_CONFIG],
      useFactory: (config: MailEnv) => LinkSigner.fromKeyRing(config.PARLEY_SECRET_KEY),
    },
  ],
  exports: [LinkSigner],
})
class MailModule {}

void runService({
  name: 'mail',
  defaultPort: 3004,
  env: MailEnv,
  consumers: [Durables.mailEvents, Durables.mailCommands],
  storage: postgresStorage,
  imports: (config) => [
    PersistenceModule.forService({
      url: config.DATABASE_URL,
      statementTimeoutMs: config.PARLEY_STATEMENT_TIMEOUT_MS,
      schema: 'mail',
      entities: [],
      migrations: [
        InitialMailSchema1767000000000,
        InboundMail1767100000000,
        partitionLeasesMigration('mail'),
      ],
    }),
    MailModule,
    InboundMailModule,
  ],
});
