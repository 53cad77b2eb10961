import { Module } from '@nestjs/common';
import { LabelsModule } from '../labels/labels.module';
import { SavedRepliesController } from './saved-replies.controller';

/** Saved replies: the team's (written by admins and supervisors) and each agent's own. */
@Module({
  imports: [LabelsModule],
  controllers: [SavedRepliesController],
})
export class SavedRepliesModule {}
