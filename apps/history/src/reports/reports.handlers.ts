import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  ConversationAssignedData,
  ConversationReportQuery,
  ConversationTransferredData,
  DomainEvent,
  EventTypes,
  QuerySubjects,
  StatusChangedData,
} from '@parley/contracts';
import { AnswerQuery, HandleEventBatch } from '@parley/jetstream';
import { ConversationReports } from './conversation-report';
import { ReportProjection } from './report-projection';

/**
 * The events only reports follow, and the report query. Openings and messages reach the projection
 * through history's own handlers, which store them too: one handler per subject.
 */
@Controller()
export class ReportsHandlers {
  constructor(
    private readonly projection: ReportProjection,
    private readonly reports: ConversationReports,
  ) {}

  @HandleEventBatch(EventTypes.conversationAssigned, EventTypes.conversationTransferred)
  async placed(
    @Payload() events: Array<DomainEvent<ConversationAssignedData | ConversationTransferredData>>,
  ): Promise<void> {
    await this.projection.placed(events);
  }

  @HandleEventBatch(EventTypes.statusChanged)
  async statusChanged(@Payload() events: Array<DomainEvent<StatusChangedData>>): Promise<void> {
    await this.projection.statusChanged(events);
  }

  @AnswerQuery(QuerySubjects.conversationReport)
  conversationReport(@Payload() query: ConversationReportQuery) {
    return this.reports.report(query);
  }
}
