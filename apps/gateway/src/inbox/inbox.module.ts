import { Module } from '@nestjs/common';
import { AttachmentLinks } from '../attachments/attachment-links';
import { InboxController } from './inbox.controller';
import { LiveInbox } from './live-inbox';

@Module({ controllers: [InboxController], providers: [LiveInbox, AttachmentLinks] })
export class InboxModule {}
