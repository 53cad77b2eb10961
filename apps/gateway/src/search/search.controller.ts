import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Page, Principal, QuerySubjects, SearchHit } from '@parley/contracts';
import { JetStreamPublisher } from '@parley/jetstream';
import { SEARCH_CURSOR } from '../api/examples';
import { pageOf } from '../api/paging';
import { ApiListCursor } from '../api/params.doc';
import { ApiProblems } from '../api/problem.doc';
import { Allow, CurrentPrincipal } from '../auth/auth';
import { Audited, AuditedCall } from '../audit/audited';
import { SearchPageDoc, SearchRequest } from './search.dto';

/** What a search was confined to: a conversation, a customer's conversations, or everything. */
function searchedWithin({ query }: AuditedCall) {
  if (typeof query.conversationId === 'string') return { kind: 'conversation', id: query.conversationId };
  if (typeof query.customerId === 'string') return { kind: 'customer', id: query.customerId };
  return null;
}

@ApiTags('history')
@ApiBearerAuth()
@ApiProblems(400, 401, 403, 404, 503)
@Controller('v1/search')
export class SearchController {
  constructor(private readonly publisher: JetStreamPublisher) {}

  @Get()
  @ApiListCursor(SEARCH_CURSOR)
  @Allow('customer', 'agent')
  @ApiOperation({ operationId: 'searchMessages', summary: 'Search messages and notes' })
  @ApiOkResponse({
    type: SearchPageDoc,
    description: 'Best match first. A customer searches only their own conversations and never notes.',
  })
  @Audited('conversation.search', searchedWithin, {
    by: ['agent', 'admin'],
    // Where the hits were, not what was asked: the words searched for may be the customer's.
    details: ({ answer }) => ({
      conversations: [...new Set((answer as Page<SearchHit>).items.map((hit) => hit.conversationId))],
    }),
  })
  search(@Query() query: SearchRequest, @CurrentPrincipal() principal: Principal): Promise<Page<SearchHit>> {
    return this.publisher.query(QuerySubjects.search, {
      principal,
      q: query.q,
      customerId: query.customerId,
      conversationId: query.conversationId,
      ...pageOf(query),
    });
  }
}
