import { Module } from '@nestjs/common';
import { AttachmentLinks } from '../attachments/attachment-links';
import { ConversationPrecheck } from './conversation-precheck';
import { ConversationRatings } from './conversation-ratings';
import { ConversationsController } from './conversations.controller';
import { QueueController } from './queue.controller';
import { RatingsController } from './ratings.controller';
import { StoredEntries } from './stored-entries';

/**
 * Conversations, the queue, a customer's conversations and their ratings; the precheck every write
 * into one passes.
 */
@Module({
  controllers: [ConversationsController, QueueController, RatingsController],
  providers: [ConversationPrecheck, StoredEntries, ConversationRatings, AttachmentLinks],
  exports: [ConversationPrecheck, StoredEntries, AttachmentLinks],
})
export class ConversationsModule {}
