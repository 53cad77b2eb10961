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
import { ID_PATTERN, IdParam } from '../http/id-param.pipe';
import { PageQuery } from '../conversations/conversations.dto';
import { ApiProblems } from '../http/problem.doc';

export class SearchRequest extends PageQuery {
  @ApiProperty({
    description: 'Words to find (stemmed: "refunds" finds "refund"); "quoted phrases", `or`, `-word`',
  })
  @IsString()
  @Length(1, 200)
  q: string;

  @ApiPropertyOptional({ description: 'Only this customer’s conversations (agents)' })
  @IsOptional()
  @Matches(ID_PATTERN)
  customerId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Matches(ID_PATTERN)
  conversationId?: string;
}

class ReceiptDoc {
  @ApiProperty() recipientId: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) deliveredAt: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) readAt: string | null;
}

class MessageStatusDoc {
  @ApiProperty() id: string;
  @ApiProperty() conversationId: string;
  @ApiProperty({ nullable: true, type: Number, description: 'null until stored' }) seq: number | null;
  @ApiProperty() authorId: string;
  @ApiProperty({ enum: ['agent', 'customer'] }) authorRole: string;
  @ApiProperty({ enum: ['message', 'note'] }) type: string;
  @ApiProperty({ nullable: true, type: String }) body: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ enum: ['accepted', 'stored', 'rejected'] }) status: string;
  @ApiPropertyOptional({ description: 'Why it was rejected' }) rejection?: string;
  @ApiProperty({ type: [ReceiptDoc] }) receipts: ReceiptDoc[];
}

class SearchHitDoc {
  @ApiProperty() messageId: string;
  @ApiProperty() conversationId: string;
  @ApiProperty() customerId: string;
  @ApiProperty() seq: number;
  @ApiProperty() authorId: string;
  @ApiProperty({ enum: ['message', 'note'] }) type: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty() rank: number;
  @ApiProperty({ description: 'HTML-escaped passage with the hits in <mark>…</mark>' }) snippet: string;
}

class SearchPageDoc {
  @ApiProperty({ type: [SearchHitDoc] }) items: SearchHitDoc[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

@ApiTags('history')
@ApiBearerAuth()
@ApiProblems(400, 401, 403, 404, 503)
@Controller('v1')
export class HistoryController {
  constructor(private readonly publisher: JetStreamPublisher) {}

  @Get('messages/:id')
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
