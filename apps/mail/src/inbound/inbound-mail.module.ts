import { Module } from '@nestjs/common';
import { SERVICE_CONFIG } from '@parley/runtime';
import { LinkSigner } from '@parley/secrets';
import { MailEnv } from '../mail.env';
import { InboundMailRepository } from './inbound-mail.repository';
import { ReceiveMailHandler } from './receive-mail.handler';
import { SmtpListener } from './smtp-listener';

/** Replies by email: the SMTP listener, the ReceiveMail handler, and the unmatched mail it keeps. */
@Module({
  controllers: [ReceiveMailHandler],
  providers: [
    InboundMailRepository,
    SmtpListener,
    {
      provide: LinkSigner,
      inject: [SERVICE_CONFIG],
      useFactory: (config: MailEnv) => LinkSigner.fromKeyRing(config.PARLEY_SECRET_KEY),
    },
  ],
})
export class InboundMailModule {}
