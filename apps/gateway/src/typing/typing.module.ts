import { Module } from '@nestjs/common';
import { TypingController } from './typing.controller';
import { TypingRelay } from './typing-relay';

/** "… is typing", both ways, over core NATS to the other side's live inbox stream. */
@Module({ controllers: [TypingController], providers: [TypingRelay], exports: [TypingRelay] })
export class TypingModule {}
