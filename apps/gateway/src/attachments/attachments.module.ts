import { Module } from '@nestjs/common';
import { ConversationsModule } from '../conversations/conversations.module';
import { AttachmentStore } from './attachment-store';
import { AttachmentUploads } from './attachment-uploads';
import { AttachmentsController } from './attachments.controller';

/** Uploads into the attachments' object store, and downloads through signed links. */
@Module({
  imports: [ConversationsModule],
  controllers: [AttachmentsController],
  providers: [AttachmentStore, AttachmentUploads],
  exports: [AttachmentStore],
})
export class AttachmentsModule {}
