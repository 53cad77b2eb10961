import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { ID_PATTERN, Page, SearchHit } from '@parley/contracts';
import {
  AGENT_ID,
  CONVERSATION_ID,
  CUSTOMER_ID,
  REPLIED_AT,
  REPLY_ID,
  SEARCH_CURSOR,
  SEARCH_RANK,
} from '../api/examples';
import { PageQuery } from '../api/paging';

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

class SearchHitDoc implements SearchHit {
  @ApiProperty({ example: REPLY_ID }) messageId: string;
  @ApiProperty({ example: CONVERSATION_ID }) conversationId: string;
  @ApiProperty({ example: CUSTOMER_ID }) customerId: string;
  @ApiProperty({ example: 2 }) seq: number;
  @ApiProperty({ example: AGENT_ID }) authorId: string;
  @ApiProperty({ enum: ['message', 'note'], example: 'message' }) type: 'message' | 'note';
  @ApiProperty({ format: 'date-time', example: REPLIED_AT }) createdAt: string;
  @ApiProperty({ example: SEARCH_RANK, description: 'Relevance: higher is better' }) rank: number;
  @ApiProperty({
    example: 'It <mark>ships</mark> tomorrow morning.',
    description: 'HTML-escaped passage with the hits in <mark>…</mark>',
  })
  snippet: string;
}

export class SearchPageDoc implements Page<SearchHit> {
  @ApiProperty({ type: [SearchHitDoc] }) items: SearchHitDoc[];
  @ApiProperty({
    nullable: true,
    type: String,
    example: SEARCH_CURSOR,
    description: 'Pass as `cursor` for the next page; null at the end',
  })
  nextCursor: string | null;
}
