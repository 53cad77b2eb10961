import { ApiProblems } from '../api/problem.doc';
import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ConversationView, Page, Principal, QuerySubjects, QueueQuery } from '@parley/contracts';
import { JetStreamPublisher } from '@parley/jetstream';
import { Allow, CurrentPrincipal } from '../auth/auth';
import { Audited, pathId, READ_BY_STAFF } from '../audit/audited';
import { IdParam } from '../api/id-param.pipe';
import { PageQuery, pageOf } from '../api/paging';
import { ConversationPage, QueueFilterQuery } from './conversations.dto';
import { ApiCustomerIdParam } from '../api/params.doc';

@ApiTags('conversations')
@ApiBearerAuth()
@ApiProblems(400, 401, 403, 503)
@Controller('v1')
export class QueueController {
  constructor(private readonly publisher: JetStreamPublisher) {}

  @Get('queue')
  @Allow('agent')
  @ApiOperation({ operationId: 'listQueue', summary: 'List the queue' })
  @ApiOkResponse({
    type: ConversationPage,
    description: 'Open, unassigned conversations: highest priority first, then oldest',
  })
  queue(
    @Query() query: QueueFilterQuery,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Page<ConversationView>> {
    const request: QueueQuery = {
      principal,
      priority: query.priority,
      team: query.team,
      labels: query.labels,
      ...pageOf(query),
    };
    return this.publisher.query(QuerySubjects.queue, request);
  }

  @Get('customers/:id/conversations')
  @ApiCustomerIdParam()
  @Allow('agent')
  @ApiOperation({ operationId: 'listCustomerConversations', summary: "List a customer's conversations" })
  @ApiOkResponse({ type: ConversationPage, description: "The customer's conversations, newest first" })
  @Audited('customer.read', pathId('customer'), READ_BY_STAFF)
  ofCustomer(
    @Param('id', IdParam) customerId: string,
    @Query() query: PageQuery,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Page<ConversationView>> {
    return this.publisher.query(QuerySubjects.customerConversations, {
      principal,
      customerId,
      ...pageOf(query),
    });
  }
}
