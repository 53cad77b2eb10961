import { Module } from '@nestjs/common';
import { InboundMailController } from './inbound-mail.controller';

@Module({ controllers: [InboundMailController] })
export class InboundMailModule {}
