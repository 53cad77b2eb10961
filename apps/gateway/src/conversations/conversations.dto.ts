import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateIf,
} from 'class-validator';
import {
  ConversationStatus,
  MESSAGE_BODY_MAX,
  PAGE_LIMIT_DEFAULT,
  PAGE_LIMIT_MAX,
  Priority,
  PRIORITIES,
  STATUSES,
} from '@parley/contracts';
import { ID_PATTERN } from '../http/id-param.pipe';

/** `?limit=` of every list: 1 to 200, 50 by default. */
export class LimitQuery {
  @ApiPropertyOptional({ type: 'integer', default: PAGE_LIMIT_DEFAULT, minimum: 1, maximum: PAGE_LIMIT_MAX })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(PAGE_LIMIT_MAX)
  limit?: number;
}

export class OpenConversationRequest {
  @ApiPropertyOptional({ example: 'Where is my order?', maxLength: 300 })
  @IsOptional()
  @IsString()
  @Length(0, 300)
  subject?: string;

  @ApiProperty({ example: 'Hi! My order #1234 has not arrived.', minLength: 1, maxLength: MESSAGE_BODY_MAX })
  @IsString()
  @Length(1, MESSAGE_BODY_MAX)
  body: string;

  @ApiPropertyOptional({ enum: PRIORITIES, default: 'normal' })
  @IsOptional()
  @IsIn(PRIORITIES)
  priority?: Priority;
}

export class ConversationOpened {
  @ApiProperty() id: string;
  @ApiProperty({ description: 'Id of the first message' }) messageId: string;
}

export class PostMessageRequest {
  @ApiProperty({ example: 'Thanks, that helped.', minLength: 1, maxLength: MESSAGE_BODY_MAX })
  @IsString()
  @Length(1, MESSAGE_BODY_MAX)
  body: string;
}

export class MessageAccepted {
  @ApiProperty() id: string;
}

export class ListMessagesQuery extends LimitQuery {
  @ApiPropertyOptional({
    type: 'integer',
    description: 'Return messages with seq greater than this (reading forwards)',
    minimum: 0,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(2_147_483_647)
  after?: number;

  @ApiPropertyOptional({
    type: 'integer',
    description: 'Return messages with seq lower than this (reading backwards)',
    minimum: 1,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  before?: number;
}

export class MessageItem {
  @ApiProperty() id: string;
  @ApiProperty() conversationId: string;
  @ApiProperty({ example: 1 }) seq: number;
  @ApiProperty() authorId: string;
  @ApiProperty({ enum: ['agent', 'customer'] }) authorRole: string;
  @ApiProperty({ enum: ['message', 'note'] }) type: string;
  @ApiProperty() body: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class MessagePage {
  @ApiProperty({ type: [MessageItem] }) items: MessageItem[];
  @ApiProperty({
    nullable: true,
    type: String,
    description:
      'The seq to pass as `after` (or `before` when reading backwards) for the next page; null at the end',
  })
  nextCursor: string | null;
}

export class PageQuery extends LimitQuery {
  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @Length(1, 300)
  cursor?: string;
}

export class ListConversationsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: STATUSES })
  @IsOptional()
  @IsIn(STATUSES)
  status?: ConversationStatus;

  @ApiPropertyOptional({ description: 'An agent id, `me`, or `none` for unassigned (agents only)' })
  @IsOptional()
  @IsString()
  @Matches(ID_PATTERN)
  assignee?: string;

  @ApiPropertyOptional({ description: 'Agents only' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  team?: string;

  @ApiPropertyOptional({ enum: PRIORITIES })
  @IsOptional()
  @IsIn(PRIORITIES)
  priority?: Priority;

  @ApiPropertyOptional({ description: 'Agents only' })
  @IsOptional()
  @IsString()
  @Matches(ID_PATTERN)
  customerId?: string;
}

export class ConversationItem {
  @ApiProperty() id: string;
  @ApiProperty() customerId: string;
  @ApiProperty({ nullable: true, type: String }) subject: string | null;
  @ApiProperty({ enum: STATUSES }) status: string;
  @ApiProperty({ enum: PRIORITIES }) priority: string;
  @ApiProperty({ nullable: true, type: String }) assigneeId: string | null;
  @ApiProperty({ nullable: true, type: String }) team: string | null;
  @ApiProperty({ description: 'seq of the newest message or note' }) lastSeq: number;
  @ApiProperty({ format: 'date-time' }) lastMessageAt: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) snoozeUntil: string | null;
  @ApiProperty({ description: "The caller's unread messages (notes never count for customers)" })
  unread: number;
  @ApiProperty({ nullable: true, type: String, description: 'Start of the newest message' })
  lastMessagePreview: string | null;
}

export class ConversationPage {
  @ApiProperty({ type: [ConversationItem] }) items: ConversationItem[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class NoteRequest {
  @ApiProperty({ example: 'Customer is on the premium plan.', minLength: 1, maxLength: MESSAGE_BODY_MAX })
  @IsString()
  @Length(1, MESSAGE_BODY_MAX)
  body: string;
}

export class AssignmentRequest {
  @ApiProperty({ nullable: true, type: String, description: 'An agent id, `me`, or null to unassign' })
  @ValidateIf((o: AssignmentRequest) => o.agentId !== null)
  @IsString()
  @Matches(ID_PATTERN)
  agentId: string | null;
}

export class TransferRequest {
  @ApiPropertyOptional({ description: 'The agent who takes over' })
  @IsOptional()
  @IsString()
  @Matches(ID_PATTERN)
  agentId?: string;

  @ApiPropertyOptional({ description: 'The team whose queue it goes to' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  team?: string;

  @ApiPropertyOptional({ maxLength: 1000 })
  @IsOptional()
  @IsString()
  @Length(1, 1000)
  reason?: string;

  @ApiPropertyOptional({ description: 'Context for the next agent, kept as a private history entry' })
  @IsOptional()
  @IsString()
  @Length(1, MESSAGE_BODY_MAX)
  note?: string;
}

export class StatusRequest {
  @ApiProperty({ enum: STATUSES })
  @IsIn(STATUSES)
  status: ConversationStatus;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'Required with `snoozed`: when it opens again by itself',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  snoozeUntil?: string;
}

export class PriorityRequest {
  @ApiProperty({ enum: PRIORITIES })
  @IsIn(PRIORITIES)
  priority: Priority;
}

export class ReadRequest {
  @ApiProperty({ type: 'integer', minimum: 1, description: 'The caller has read everything up to this seq' })
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  seq: number;
}

export class ConversationChangeAccepted {
  @ApiProperty() conversationId: string;
}
