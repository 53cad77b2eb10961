import { Module } from '@nestjs/common';
import { InboxController } from './inbox.controller';
import { LiveInbox } from './live-inbox';

@Module({ controllers: [InboxController], providers: [LiveInbox] })
export class InboxModule {}
