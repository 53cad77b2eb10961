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
import {
  AGENT_ID,
  CONVERSATION_CURSOR,
  CONVERSATION_ID,
  CUSTOMER_ID,
  FIRST_BODY,
  MESSAGE_CURSOR,
  MESSAGE_ID,
  OPENED_AT,
  OTHER_AGENT_ID,
  REPLIED_AT,
  REPLY_BODY,
  REPLY_ID,
  SNOOZE_UNTIL,
  SUBJECT,
  TEAM,
} from '../http/examples';
import { ID_PATTERN } from '../http/id-param.pipe';

/** `?limit=` of every list: 1 to 200, 50 by default. */
export class LimitQuery {
  @ApiPropertyOptional({
    type: 'integer',
    default: PAGE_LIMIT_DEFAULT,
    minimum: 1,
    maximum: PAGE_LIMIT_MAX,
    example: 20,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(PAGE_LIMIT_MAX)
  limit?: number;
}

export class OpenConversationRequest {
  @ApiPropertyOptional({ example: SUBJECT, maxLength: 300 })
  @IsOptional()
  @IsString()
  @Length(0, 300)
  subject?: string;

  @ApiProperty({ example: FIRST_BODY, minLength: 1, maxLength: MESSAGE_BODY_MAX })
  @IsString()
  @Length(1, MESSAGE_BODY_MAX)
  body: string;

  @ApiPropertyOptional({ enum: PRIORITIES, default: 'normal', example: 'high' })
  @IsOptional()
  @IsIn(PRIORITIES)
  priority?: Priority;
}

export class ConversationOpened {
  @ApiProperty({ example: CONVERSATION_ID }) id: string;
  @ApiProperty({ example: MESSAGE_ID, description: 'Id of the first message' }) messageId: string;
}

export class PostMessageRequest {
  @ApiProperty({ example: REPLY_BODY, minLength: 1, maxLength: MESSAGE_BODY_MAX })
  @IsString()
  @Length(1, MESSAGE_BODY_MAX)
  body: string;
}

export class MessageAccepted {
  @ApiProperty({ example: REPLY_ID, description: 'Id of the message or note' }) id: string;
}

export class ListMessagesQuery extends LimitQuery {
  @ApiPropertyOptional({
    type: 'integer',
    description: 'Return messages with seq greater than this (reading forwards)',
    minimum: 0,
    example: 0,
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
    example: Number(MESSAGE_CURSOR),
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  before?: number;
}

export class MessageItem {
  @ApiProperty({ example: REPLY_ID }) id: string;
  @ApiProperty({ example: CONVERSATION_ID }) conversationId: string;
  @ApiProperty({ example: 2 }) seq: number;
  @ApiProperty({ example: AGENT_ID }) authorId: string;
  @ApiProperty({ enum: ['agent', 'customer'], example: 'agent' }) authorRole: string;
  @ApiProperty({ enum: ['message', 'note'], example: 'message' }) type: string;
  @ApiProperty({ example: REPLY_BODY }) body: string;
  @ApiProperty({ format: 'date-time', example: REPLIED_AT }) createdAt: string;
}

export class MessagePage {
  @ApiProperty({ type: [MessageItem] }) items: MessageItem[];
  @ApiProperty({
    nullable: true,
    type: String,
    example: MESSAGE_CURSOR,
    description:
      'The seq to pass as `after` (or `before` when reading backwards) for the next page; null at the end',
  })
  nextCursor: string | null;
}

export class PageQuery extends LimitQuery {
  @ApiPropertyOptional({
    description: 'nextCursor of the previous page of the same list (opaque; each list has its own)',
    example: CONVERSATION_CURSOR,
  })
  @IsOptional()
  @IsString()
  @Length(1, 300)
  cursor?: string;
}

export class ListConversationsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: STATUSES, example: 'open' })
  @IsOptional()
  @IsIn(STATUSES)
  status?: ConversationStatus;

  @ApiPropertyOptional({
    description: 'An agent id, `me`, or `none` for unassigned (agents only)',
    example: 'me',
  })
  @IsOptional()
  @IsString()
  @Matches(ID_PATTERN)
  assignee?: string;

  @ApiPropertyOptional({ description: 'Agents only', example: TEAM })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  team?: string;

  @ApiPropertyOptional({ enum: PRIORITIES, example: 'high' })
  @IsOptional()
  @IsIn(PRIORITIES)
  priority?: Priority;

  @ApiPropertyOptional({ description: 'Agents only', example: CUSTOMER_ID })
  @IsOptional()
  @IsString()
  @Matches(ID_PATTERN)
  customerId?: string;
}

export class ConversationItem {
  @ApiProperty({ example: CONVERSATION_ID }) id: string;
  @ApiProperty({ example: CUSTOMER_ID }) customerId: string;
  @ApiProperty({ nullable: true, type: String, example: SUBJECT }) subject: string | null;
  @ApiProperty({ enum: STATUSES, example: 'open' }) status: string;
  @ApiProperty({ enum: PRIORITIES, example: 'high' }) priority: string;
  @ApiProperty({ nullable: true, type: String, example: AGENT_ID }) assigneeId: string | null;
  @ApiProperty({ nullable: true, type: String, example: TEAM }) team: string | null;
  @ApiProperty({ example: 2, description: 'seq of the newest message or note' }) lastSeq: number;
  @ApiProperty({ format: 'date-time', example: REPLIED_AT }) lastMessageAt: string;
  @ApiProperty({ format: 'date-time', example: OPENED_AT }) createdAt: string;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    example: null,
    description: 'When a snoozed conversation opens again by itself',
  })
  snoozeUntil: string | null;
  @ApiProperty({ example: 1, description: "The caller's unread messages (notes never count for customers)" })
  unread: number;
  @ApiProperty({
    nullable: true,
    type: String,
    example: REPLY_BODY,
    description: 'Start of the newest message',
  })
  lastMessagePreview: string | null;
}

/** An opened conversation as `Prefer: wait` returns it: what `GET` shows, and its first message's id. */
export class OpenedConversation extends ConversationItem {
  @ApiProperty({ example: MESSAGE_ID, description: 'Id of the first message' }) messageId: string;
}

export class ConversationPage {
  @ApiProperty({ type: [ConversationItem] }) items: ConversationItem[];
  @ApiProperty({
    nullable: true,
    type: String,
    example: CONVERSATION_CURSOR,
    description: 'Pass as `cursor` for the next page; null at the end',
  })
  nextCursor: string | null;
}

export class NoteRequest {
  @ApiProperty({ example: 'Customer is on the premium plan.', minLength: 1, maxLength: MESSAGE_BODY_MAX })
  @IsString()
  @Length(1, MESSAGE_BODY_MAX)
  body: string;
}

export class AssignmentRequest {
  @ApiProperty({
    nullable: true,
    type: String,
    example: AGENT_ID,
    description: 'An agent id, `me`, or null to unassign',
  })
  @ValidateIf((o: AssignmentRequest) => o.agentId !== null)
  @IsString()
  @Matches(ID_PATTERN)
  agentId: string | null;
}

export class TransferRequest {
  @ApiPropertyOptional({ example: OTHER_AGENT_ID, description: 'The agent who takes over' })
  @IsOptional()
  @IsString()
  @Matches(ID_PATTERN)
  agentId?: string;

  @ApiPropertyOptional({ example: TEAM, description: 'The team whose queue it goes to' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  team?: string;

  @ApiPropertyOptional({ example: 'Refund requests go to billing.', maxLength: 1000 })
  @IsOptional()
  @IsString()
  @Length(1, 1000)
  reason?: string;

  @ApiPropertyOptional({
    example: 'Order #1234 was paid twice; the customer wants one payment back.',
    description: 'Context for the next agent, kept as a private history entry',
  })
  @IsOptional()
  @IsString()
  @Length(1, MESSAGE_BODY_MAX)
  note?: string;
}

export class StatusRequest {
  @ApiProperty({ enum: STATUSES, example: 'snoozed' })
  @IsIn(STATUSES)
  status: ConversationStatus;

  @ApiPropertyOptional({
    format: 'date-time',
    example: SNOOZE_UNTIL,
    description: 'Required with `snoozed`: when it opens again by itself',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  snoozeUntil?: string;
}

export class PriorityRequest {
  @ApiProperty({ enum: PRIORITIES, example: 'urgent' })
  @IsIn(PRIORITIES)
  priority: Priority;
}

export class ReadRequest {
  @ApiProperty({
    type: 'integer',
    minimum: 1,
    example: 2,
    description: 'The caller has read everything up to this seq',
  })
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  seq: number;
}

export class ConversationChangeAccepted {
  @ApiProperty({ example: CONVERSATION_ID }) conversationId: string;
}

/** A change applied (`Prefer: wait`): the conversation as it is now, with the 202's field too. */
export class ChangedConversation extends ConversationItem {
  @ApiProperty({ example: CONVERSATION_ID, description: 'The same as `id`' }) conversationId: string;
}
