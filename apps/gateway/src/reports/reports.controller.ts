import { BadRequestException, Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CsatQuery, CsatReport, QuerySubjects } from '@parley/contracts';
import { JetStreamPublisher } from '@parley/jetstream';
import { ApiProblems } from '../api/problem.doc';
import { Allow } from '../auth/auth';
import { CsatReportItem, CsatRequest } from './reports.dto';

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
}
