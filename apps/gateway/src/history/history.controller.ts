import { Controller, Get, Param, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches } from 'class-validator';
import {
  MessageStatusView,
  PAGE_LIMIT_DEFAULT,
  Page,
  Principal,
  QuerySubjects,
  SearchHit,
} from '@parley/contracts';
import { JetStreamPublisher } from '@parley/jetstream';
import { Allow, CurrentPrincipal } from '../auth/auth';
import {
  AGENT_ID,
  CONVERSATION_ID,
  CUSTOMER_ID,
  DELIVERED_AT,
  READ_AT,
  REPLIED_AT,
  REPLY_BODY,
  REPLY_ID,
  SEARCH_CURSOR,
  SEARCH_RANK,
} from '../http/examples';
import { ID_PATTERN, IdParam } from '../http/id-param.pipe';
import { PageQuery } from '../conversations/conversations.dto';
import { ApiProblems } from '../http/problem.doc';
import { ApiListCursor, ApiMessageIdParam } from '../http/params.doc';

export class SearchRequest extends PageQuery {
  @ApiProperty({
    description: 'Words to find (stemmed: "refunds" finds "refund"); "quoted phrases", `or`, `-word`',
    example: 'order ships',
  })
  @IsString()
  @Length(1, 200)
  q: string;

  @ApiPropertyOptional({ description: 'Only this customer’s conversations (agents)', example: CUSTOMER_ID })
  @IsOptional()
  @Matches(ID_PATTERN)
  customerId?: string;

  @ApiPropertyOptional({ description: 'Only this conversation', example: CONVERSATION_ID })
  @IsOptional()
  @Matches(ID_PATTERN)
  conversationId?: string;
}

class ReceiptDoc {
  @ApiProperty({ example: CUSTOMER_ID }) recipientId: string;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    example: DELIVERED_AT,
    description: 'When the recipient acked it in their inbox; null until then',
  })
  deliveredAt: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    example: READ_AT,
    description: 'When the recipient marked it read; null until then',
  })
  readAt: string | null;
}

class MessageStatusDoc {
  @ApiProperty({ example: REPLY_ID }) id: string;
  @ApiProperty({ example: CONVERSATION_ID }) conversationId: string;
  @ApiProperty({ nullable: true, type: Number, example: 2, description: 'null until stored' })
  seq: number | null;
  @ApiProperty({ example: AGENT_ID }) authorId: string;
  @ApiProperty({ enum: ['agent', 'customer'], example: 'agent' }) authorRole: string;
  @ApiProperty({ enum: ['message', 'note'], example: 'message' }) type: string;
  @ApiProperty({ nullable: true, type: String, example: REPLY_BODY }) body: string | null;
  @ApiProperty({ format: 'date-time', example: REPLIED_AT }) createdAt: string;
  @ApiProperty({ enum: ['accepted', 'stored', 'rejected'], example: 'stored' }) status: string;
  @ApiPropertyOptional({
    example: 'The conversation does not exist or you are not one of its participants.',
    description: 'Why it was rejected (only when `rejected`)',
  })
  rejection?: string;
  @ApiProperty({ type: [ReceiptDoc] }) receipts: ReceiptDoc[];
}

class SearchHitDoc {
  @ApiProperty({ example: REPLY_ID }) messageId: string;
  @ApiProperty({ example: CONVERSATION_ID }) conversationId: string;
  @ApiProperty({ example: CUSTOMER_ID }) customerId: string;
  @ApiProperty({ example: 2 }) seq: number;
  @ApiProperty({ example: AGENT_ID }) authorId: string;
  @ApiProperty({ enum: ['message', 'note'], example: 'message' }) type: string;
  @ApiProperty({ format: 'date-time', example: REPLIED_AT }) createdAt: string;
  @ApiProperty({ example: SEARCH_RANK, description: 'Relevance: higher is better' }) rank: number;
  @ApiProperty({
    example: 'It <mark>ships</mark> tomorrow morning.',
    description: 'HTML-escaped passage with the hits in <mark>…</mark>',
  })
  snippet: string;
}

class SearchPageDoc {
  @ApiProperty({ type: [SearchHitDoc] }) items: SearchHitDoc[];
  @ApiProperty({
    nullable: true,
    type: String,
    example: SEARCH_CURSOR,
    description: 'Pass as `cursor` for the next page; null at the end',
  })
  nextCursor: string | null;
}

@ApiTags('history')
@ApiBearerAuth()
@ApiProblems(400, 401, 403, 404, 503)
@Controller('v1')
export class HistoryController {
  constructor(private readonly publisher: JetStreamPublisher) {}

  @Get('messages/:id')
  @ApiMessageIdParam()
  @Allow('customer', 'agent')
  @ApiOperation({ operationId: 'getMessage', summary: 'Get the status and receipts of a message' })
  @ApiOkResponse({
    type: MessageStatusDoc,
    description:
      '`accepted` until processed, then `stored` (with seq and receipts) or `rejected` (with the reason). Its author and agents may read it.',
  })
  message(
    @Param('id', IdParam) messageId: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<MessageStatusView> {
    return this.publisher.query(QuerySubjects.message, { principal, messageId });
  }

  @Get('search')
  @ApiListCursor(SEARCH_CURSOR)
  @Allow('customer', 'agent')
  @ApiOperation({ operationId: 'searchMessages', summary: 'Search messages and notes' })
  @ApiOkResponse({
    type: SearchPageDoc,
    description: 'Best match first. A customer searches only their own conversations and never notes.',
  })
  search(@Query() query: SearchRequest, @CurrentPrincipal() principal: Principal): Promise<Page<SearchHit>> {
    return this.publisher.query(QuerySubjects.search, {
      principal,
      q: query.q,
      customerId: query.customerId,
      conversationId: query.conversationId,
      cursor: query.cursor,
      limit: query.limit ?? PAGE_LIMIT_DEFAULT,
    });
  }
}
