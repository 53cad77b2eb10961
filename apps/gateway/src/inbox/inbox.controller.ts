import { ApiProblems } from '../http/problem.doc';
import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import {
  InboxPage,
  InboxQuery,
  PAGE_LIMIT_DEFAULT,
  PAGE_LIMIT_MAX,
  Principal,
  QuerySubjects,
} from '@parley/contracts';
import { JetStreamPublisher } from '@parley/jetstream';
import { Allow, CurrentPrincipal } from '../auth/auth';

export class InboxRequest {
  @ApiPropertyOptional({
    description: 'Continue after this cursor (from nextCursor or an event); omit to start at the beginning',
  })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  cursor?: string;

  @ApiPropertyOptional({ default: PAGE_LIMIT_DEFAULT, minimum: 1, maximum: PAGE_LIMIT_MAX })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(PAGE_LIMIT_MAX)
  limit?: number;
}

export class InboxEvent {
  @ApiProperty() id: string;
  @ApiProperty() cursor: string;
  @ApiProperty({ example: 'message.created' }) type: string;
  @ApiProperty({ nullable: true, type: String }) conversationId: string | null;
  @ApiProperty({ format: 'date-time' }) occurredAt: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) data: Record<string, unknown>;
}

export class InboxResponse {
  @ApiProperty({ type: [InboxEvent] }) events: InboxEvent[];
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Pass as `cursor` to continue; stays put when nothing new came',
  })
  nextCursor: string | null;
}

@ApiTags('inbox')
@ApiBearerAuth()
@ApiProblems(400, 401, 403, 503)
@Controller('v1/inbox')
export class InboxController {
  constructor(private readonly publisher: JetStreamPublisher) {}

  @Get()
  @Allow('customer', 'agent')
  @ApiOkResponse({ type: InboxResponse })
  read(@Query() query: InboxRequest, @CurrentPrincipal() principal: Principal): Promise<InboxPage> {
    const request: InboxQuery = { principal, cursor: query.cursor, limit: query.limit ?? PAGE_LIMIT_DEFAULT };
    return this.publisher.query<InboxPage>(QuerySubjects.inbox, request);
  }
}
