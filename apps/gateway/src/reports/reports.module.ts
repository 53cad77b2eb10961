import { Module } from '@nestjs/common';
import { ReportsController } from './reports.controller';

/** Figures over many conversations for the admin: customer satisfaction. */
@Module({ controllers: [ReportsController] })
export class ReportsModule {}
