import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { Durables } from '@parley/contracts';
import {
  erasureLedgerMigration,
  partitionLeasesMigration,
  PersistenceModule,
  postgresStorage,
} from '@parley/persistence';
import { runService, SERVICE_CONFIG } from '@parley/runtime';
import { LinkSigner } from '@parley/secrets';
import { DigestMailer } from './digests/digest-mailer';
import { DigestRepository } from './digests/digest.repository';
import { MailExport } from './exports/mail-export';
import { MailExportHandler } from './exports/mail-export.handler';
import { InboundMailModule } from './inbound/inbound-mail.module';
import { MailLinks } from './mail-links';
import { MailTicker } from './mail-ticker';
import { MailEnv } from './mail.env';
import { InitialMailSchema1767000000000 } from './migrations/1767000000000-initial-mail-schema';
import { InboundMail1767100000000 } from './migrations/1767100000000-inbound-mail';
import { ConversationFollower } from './notifications/conversation-follower';
import { MailEventsHandler } from './notifications/mail-events.handler';
import { NotificationMailer } from './notifications/notification-mailer';
import { NotificationRepository } from './notifications/notification.repository';
import { MAIL_CHANNEL, mailChannel } from './outbound/mail-channel';
import { MailSender } from './outbound/mail-sender';
import { SentEmailRepository } from './outbound/sent-email.repository';
import { PeopleRepository } from './people/people.repository';
import { MailErasureHandlers } from './privacy/mail-erasure.handlers';

@Module({
  controllers: [MailEventsHandler, MailExportHandler, MailErasureHandlers],
  providers: [
    {
      provide: LinkSigner,
      inject: [SERVICE_CONFIG],
      useFactory: (config: MailEnv) => LinkSigner.fromKeyRing(config.PARLEY_SECRET_KEY),
    },
    {
      provide: MAIL_CHANNEL,
      inject: [SERVICE_CONFIG],
      useFactory: (config: MailEnv) => mailChannel(config.PARLEY_SMTP_URL, config.PARLEY_MAIL_DROP_DIR),
    },
    MailLinks,
    PeopleRepository,
    NotificationRepository,
    SentEmailRepository,
    ConversationFollower,
    NotificationMailer,
    DigestRepository,
    DigestMailer,
    MailSender,
    MailTicker,
    MailExport,
  ],
  exports: [LinkSigner, MailLinks, PeopleRepository, SentEmailRepository],
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
        erasureLedgerMigration('mail'),
      ],
    }),
    MailModule,
    InboundMailModule,
  ],
});
