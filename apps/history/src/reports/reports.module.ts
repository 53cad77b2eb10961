import { Module } from '@nestjs/common';
import { ConversationReports } from './conversation-report';
import { ReportProjection } from './report-projection';
import { ReportsHandlers } from './reports.handlers';

/** The reports projection of the events and the reports drawn from it. */
@Module({
  controllers: [ReportsHandlers],
  providers: [ReportProjection, ConversationReports],
  exports: [ReportProjection],
})
export class ReportsModule {}
