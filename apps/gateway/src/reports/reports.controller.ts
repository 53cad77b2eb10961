import { BadRequestException, Controller, Get, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ConversationReport, CsatQuery, CsatReport, QuerySubjects } from '@parley/contracts';
import { JetStreamPublisher } from '@parley/jetstream';
import type { FastifyReply } from 'fastify';
import { ApiProblems } from '../api/problem.doc';
import { Allow } from '../auth/auth';
import { conversationReportCsv, conversationReportFileName } from './report-csv';
import { conversationReportQuery } from './report-period';
import {
  ConversationReportItem,
  ConversationReportRequest,
  CsatReportItem,
  CsatRequest,
} from './reports.dto';

const CONVERSATION_REPORT_DESCRIPTION =
  'Conversations opened in the days `from` … `to` (in `timeZone`, UTC by default), optionally of one site, team or agent (the latest the conversation was assigned to), per day or per hour of the day (0–23, over the whole period): how many were opened; the median and 90th percentile (`percentile_cont`, interpolated) of the seconds from opening to the first reply of an agent (not a note, not the automatic reply out of hours) and to the current resolution (a reopened conversation counts again once it is resolved again); and the backlog, the conversations not resolved at the end of the bucket. A conversation counts for the bucket it was opened in. Drawn from history’s reports projection of the events.';

@ApiTags('reports')
@ApiBearerAuth()
@ApiProblems(400, 401, 403, 503)
@Controller('v1/reports')
export class ReportsController {
  constructor(private readonly publisher: JetStreamPublisher) {}

  @Get('csat')
  @Allow('admin')
  @ApiOperation({
    operationId: 'getCsat',
    summary: 'Customer satisfaction: ratings per site and per agent',
    description:
      'Over the ratings given in [`from`, `to`) (all without them), optionally of one site or agent: how many, their mean score and CSAT, the share of 4s and 5s. A rating counts for the agent assigned when it was given; a conversation rated again counts once, with its latest rating.',
  })
  @ApiOkResponse({ type: CsatReportItem })
  csat(@Query() query: CsatRequest): Promise<CsatReport> {
    if (query.from && query.to && Date.parse(query.from) >= Date.parse(query.to))
      throw new BadRequestException('`from` must be before `to`.');
    const request: CsatQuery = {
      siteId: query.siteId,
      agentId: query.agentId,
      from: query.from && new Date(query.from).toISOString(),
      to: query.to && new Date(query.to).toISOString(),
    };
    return this.publisher.query(QuerySubjects.csat, request);
  }

  @Get('conversations')
  @Allow('admin')
  @ApiOperation({
    operationId: 'getConversationReport',
    summary: 'Volume, first-response and resolution times and backlog, per day or hour of day',
    description: CONVERSATION_REPORT_DESCRIPTION,
  })
  @ApiOkResponse({ type: ConversationReportItem })
  conversations(@Query() request: ConversationReportRequest): Promise<ConversationReport> {
    return this.conversationReport(request);
  }

  @Get('conversations.csv')
  @Allow('admin')
  @ApiOperation({
    operationId: 'getConversationReportCsv',
    summary: 'The conversation report as CSV',
    description:
      'The buckets of `GET /v1/reports/conversations` with the same parameters and the same numbers: a header of its field names, one row per bucket, an empty cell for null; downloaded as an attachment.',
  })
  @ApiOkResponse({
    description: 'CSV (RFC 4180)',
    content: {
      'text/csv': {
        schema: { type: 'string' },
        example:
          'bucket,volume,firstResponses,firstResponseMedianSeconds,firstResponseP90Seconds,resolutions,resolutionMedianSeconds,resolutionP90Seconds,backlog\r\n2026-12-01,42,40,754.5,1800,35,7200,28800,7\r\n',
      },
    },
  })
  async conversationsCsv(
    @Query() request: ConversationReportRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const report = await this.conversationReport(request);
    reply.header('content-type', 'text/csv; charset=utf-8');
    reply.header('content-disposition', `attachment; filename="${conversationReportFileName(report)}"`);
    return conversationReportCsv(report);
  }

  private conversationReport(request: ConversationReportRequest): Promise<ConversationReport> {
    return this.publisher.query(
      QuerySubjects.conversationReport,
      conversationReportQuery(request, new Date()),
    );
  }
}
