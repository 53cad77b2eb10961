import { Module } from '@nestjs/common';
import { RetentionController } from './retention.controller';

/** Sites' retention policies: set, previewed and run by admins; applied by the conversation service. */
@Module({ controllers: [RetentionController] })
export class RetentionModule {}
