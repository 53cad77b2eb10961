import { Module } from '@nestjs/common';
import { ConversationsModule } from '../conversations/conversations.module';
import { MessageStatusController } from './message-status.controller';
import { MessagesController } from './messages.controller';

@Module({
  imports: [ConversationsModule],
  controllers: [MessagesController, MessageStatusController],
})
export class MessagesModule {}
