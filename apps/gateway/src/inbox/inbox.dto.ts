import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { InboxEventView, InboxPage } from '@parley/contracts';
import { CONVERSATION_ID, EVENT_ID, INBOX_CURSOR, MESSAGE_CREATED_DATA, REPLIED_AT } from '../api/examples';
import { PageQuery } from '../api/paging';

export class InboxRequest extends PageQuery {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: 30,
    description: 'Seconds to hold the request when nothing is new; it returns as soon as something arrives',
    example: 25,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(30)
  wait?: number;
}

export class StreamRequest {
  @ApiPropertyOptional({
    description: 'Resume after this cursor (Last-Event-ID wins when both are given)',
    example: INBOX_CURSOR,
  })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  cursor?: string;
}

export class AckRequest {
  @ApiProperty({
    example: INBOX_CURSOR,
    description: 'Everything up to and including this cursor counts as delivered',
  })
  @IsString()
  @Length(1, 200)
  cursor: string;
}

export class InboxEvent implements InboxEventView {
  @ApiProperty({ example: EVENT_ID, description: '`<type>:<entity id>`, the same in webhooks' }) id: string;
  @ApiProperty({ example: INBOX_CURSOR, description: 'Its position in this inbox; also its SSE `id:`' })
  cursor: string;
  @ApiProperty({ example: 'message.created' }) type: string;
  @ApiProperty({ nullable: true, type: String, example: CONVERSATION_ID }) conversationId: string | null;
  @ApiProperty({ format: 'date-time', example: REPLIED_AT }) occurredAt: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: MESSAGE_CREATED_DATA,
    description: 'Depends on `type`: for `message.created` and `note.created`, the stored message',
  })
  data: Record<string, unknown>;
}

export class InboxResponse implements InboxPage {
  @ApiProperty({ type: [InboxEvent] }) events: InboxEvent[];
  @ApiProperty({
    nullable: true,
    type: String,
    example: INBOX_CURSOR,
    description: 'Pass as `cursor` to continue; stays put when nothing new came',
  })
  nextCursor: string | null;
}

export class AckAccepted {
  @ApiProperty({ example: INBOX_CURSOR }) cursor: string;
}
