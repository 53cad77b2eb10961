import { Module } from '@nestjs/common';
import { AttachmentLinks } from '../attachments/attachment-links';
import { TypingModule } from '../typing/typing.module';
import { InboxController } from './inbox.controller';
import { LiveInbox } from './live-inbox';

@Module({ imports: [TypingModule], controllers: [InboxController], providers: [LiveInbox, AttachmentLinks] })
export class InboxModule {}
