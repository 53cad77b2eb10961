import { Module } from '@nestjs/common';
import { ConversationPrecheck } from './conversation-precheck';
import { ConversationsController } from './conversations.controller';
import { QueueController } from './queue.controller';
import { StoredEntries } from './stored-entries';

/** Conversations, the queue and a customer's conversations; the precheck every write into one passes. */
@Module({
  controllers: [ConversationsController, QueueController],
  providers: [ConversationPrecheck, StoredEntries],
  exports: [ConversationPrecheck, StoredEntries],
})
export class ConversationsModule {}
