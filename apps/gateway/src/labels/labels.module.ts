import { Module } from '@nestjs/common';
import { ConversationsModule } from '../conversations/conversations.module';
import { LabelsController } from './labels.controller';
import { TeamManagers } from './team-managers';

/** Labels, who may define them, and the labels on a conversation. */
@Module({
  imports: [ConversationsModule],
  controllers: [LabelsController],
  providers: [TeamManagers],
  exports: [TeamManagers],
})
export class LabelsModule {}
