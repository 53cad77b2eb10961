import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import {
  AssignConversation,
  ChangePriority,
  ChangeStatus,
  ConversationStatus,
  ConversationView,
  ID_PATTERN,
  LABELS_PER_CONVERSATION_MAX,
  MarkRead,
  MESSAGE_BODY_MAX,
  OpenConversation,
  Page,
  Priority,
  PRIORITIES,
  RATING_CHANNELS,
  RATING_COMMENT_MAX,
  RateConversation,
  RatingView,
  STATUSES,
  TransferConversation,
} from '@parley/contracts';
import {
  AGENT_ID,
  CONVERSATION_CURSOR,
  CONVERSATION_ID,
  CUSTOMER_ID,
  FIRST_BODY,
  LABEL_ID,
  MESSAGE_ID,
  OPENED_AT,
  OTHER_AGENT_ID,
  REPLIED_AT,
  REPLY_BODY,
  SITE_ID,
  SNOOZE_UNTIL,
  SUBJECT,
  TEAM,
} from '../api/examples';
import { RequestFrom } from '../api/request-from';
import { PageQuery } from '../api/paging';

/*
 * A conversation's requests and answers. The requests take their rules from the commands they
 * become; the answers implement the views the conversation service returns, so a field the view
 * gains and the answer lacks does not compile.
 */

export class OpenConversationRequest extends RequestFrom(OpenConversation, {
  given: ['subject', 'body'],
  defaulted: ['priority'],
  // The site is the customer token's, never the caller's say.
  assigned: ['conversationId', 'messageId', 'siteId'],
}) {
  @ApiPropertyOptional({ example: SUBJECT, maxLength: 300 })
  override subject?: string;

  @ApiProperty({ example: FIRST_BODY, minLength: 1, maxLength: MESSAGE_BODY_MAX })
  override body: string;

  @ApiPropertyOptional({ enum: PRIORITIES, default: 'normal', example: 'high' })
  override priority?: Priority;
}

export class ConversationOpened {
  @ApiProperty({ example: CONVERSATION_ID }) id: string;
  @ApiProperty({ example: MESSAGE_ID, description: 'Id of the first message' }) messageId: string;
}

/** Label ids, repeated (`labels=a&labels=b`) or comma-separated: conversations carrying all of them. */
const ApiLabelsFilter = () =>
  applyDecorators(
    ApiPropertyOptional({
      type: [String],
      description: 'Label ids, repeated or comma-separated: conversations carrying every one of them',
      example: [LABEL_ID],
    }),
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.split(',') : value)),
    IsOptional(),
    IsArray(),
    ArrayMaxSize(LABELS_PER_CONVERSATION_MAX),
    Matches(ID_PATTERN, { each: true }),
  );

/** The queue's filters: those of the conversation list that do not contradict it. */
export class QueueFilterQuery extends PageQuery {
  @ApiPropertyOptional({ enum: PRIORITIES, example: 'high' })
  @IsOptional()
  @IsIn(PRIORITIES)
  priority?: Priority;

  @ApiPropertyOptional({ example: TEAM })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  team?: string;

  @ApiLabelsFilter()
  labels?: string[];
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

  @ApiLabelsFilter()
  labels?: string[];
}

export class RatingItem implements RatingView {
  @ApiProperty({ minimum: 1, maximum: 5, example: 5 }) score: number;
  @ApiProperty({ nullable: true, type: String, example: 'Quick and friendly.' }) comment: string | null;
  @ApiProperty({ enum: RATING_CHANNELS, example: 'widget', description: 'In the widget, or from the email' })
  via: 'widget' | 'email';
  @ApiProperty({ format: 'date-time', example: REPLIED_AT }) ratedAt: string;
}

export class RateConversationRequest extends RequestFrom(RateConversation, {
  given: ['score', 'comment'],
  assigned: ['conversationId', 'via'],
}) {
  @ApiProperty({ minimum: 1, maximum: 5, example: 5, description: '1 (bad) to 5 (great)' })
  override score: number;

  @ApiPropertyOptional({ example: 'Quick and friendly.', minLength: 1, maxLength: RATING_COMMENT_MAX })
  override comment?: string;
}

@ApiExtraModels(RatingItem)
export class ConversationItem implements ConversationView {
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
  @ApiProperty({
    nullable: true,
    type: String,
    example: SITE_ID,
    description: 'The site whose widget the customer opened it through; null for customers the API created',
  })
  siteId: string | null;
  @ApiProperty({
    oneOf: [{ $ref: getSchemaPath(RatingItem) }, { type: 'null' }],
    example: null,
    description: "The customer's rating once resolved (the latest one); null when not rated",
  })
  rating: RatingItem | null;
  @ApiProperty({
    type: [String],
    example: [LABEL_ID],
    description: 'Ids of its labels (`GET /v1/labels` names and colours them), in the order they were put on',
  })
  labels: string[];
  @ApiProperty({
    nullable: true,
    type: String,
    example: AGENT_ID,
    description: 'Who wrote the newest message (notes aside); null before the first',
  })
  lastMessageAuthorId: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    enum: ['customer', 'agent', 'admin'],
    example: 'agent',
    description: "The newest message's author's role",
  })
  lastMessageAuthorRole: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    example: 'Ada Lovelace',
    description: "The customer's name, as known",
  })
  customerName: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    example: 'ada@example.com',
    description: "The customer's email, as known",
  })
  customerEmail: string | null;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    format: 'date-time',
    example: null,
    description:
      'When its customer was erased (`DELETE /v1/customers/{id}`): the conversation is a shell without content ("Erased customer") that takes no more writes (410)',
  })
  erasedAt?: string | null;
}

/** An opened conversation as `Prefer: wait` returns it: what `GET` shows, and its first message's id. */
export class OpenedConversation extends ConversationItem {
  @ApiProperty({ example: MESSAGE_ID, description: 'Id of the first message' }) messageId: string;
}

export class ConversationPage implements Page<ConversationView> {
  @ApiProperty({ type: [ConversationItem] }) items: ConversationItem[];
  @ApiProperty({
    nullable: true,
    type: String,
    example: CONVERSATION_CURSOR,
    description: 'Pass as `cursor` for the next page; null at the end',
  })
  nextCursor: string | null;
}

export class AssignmentRequest extends RequestFrom(AssignConversation, {
  given: ['agentId'],
  assigned: ['conversationId'],
}) {
  @ApiProperty({
    nullable: true,
    type: String,
    example: AGENT_ID,
    description: 'An agent id, `me`, or null to unassign',
  })
  override agentId: string | null;
}

export class TransferRequest extends RequestFrom(TransferConversation, {
  given: ['agentId', 'team', 'reason', 'note'],
  assigned: ['conversationId', 'transferId'],
}) {
  @ApiPropertyOptional({ example: OTHER_AGENT_ID, description: 'The agent who takes over' })
  override agentId?: string;

  @ApiPropertyOptional({ example: TEAM, description: 'The team whose queue it goes to' })
  override team?: string;

  @ApiPropertyOptional({ example: 'Refund requests go to billing.', maxLength: 1000 })
  override reason?: string;

  @ApiPropertyOptional({
    example: 'Order #1234 was paid twice; the customer wants one payment back.',
    description: 'Context for the next agent, kept as a private history entry',
  })
  override note?: string;
}

export class StatusRequest extends RequestFrom(ChangeStatus, {
  given: ['status', 'snoozeUntil'],
  assigned: ['conversationId'],
}) {
  @ApiProperty({ enum: STATUSES, example: 'snoozed' })
  override status: ConversationStatus;

  @ApiPropertyOptional({
    format: 'date-time',
    example: SNOOZE_UNTIL,
    description: 'Required with `snoozed`: when it opens again by itself',
  })
  override snoozeUntil?: string;
}

export class PriorityRequest extends RequestFrom(ChangePriority, {
  given: ['priority'],
  assigned: ['conversationId'],
}) {
  @ApiProperty({ enum: PRIORITIES, example: 'urgent' })
  override priority: Priority;
}

export class ReadRequest extends RequestFrom(MarkRead, { given: ['seq'], assigned: ['conversationId'] }) {
  @ApiProperty({
    type: 'integer',
    minimum: 1,
    example: 2,
    description: 'The caller has read everything up to this seq',
  })
  override seq: number;
}

export class ConversationChangeAccepted {
  @ApiProperty({ example: CONVERSATION_ID }) conversationId: string;
}

/** A change applied (`Prefer: wait`): the conversation as it is now, with the 202's field too. */
export class ChangedConversation extends ConversationItem {
  @ApiProperty({ example: CONVERSATION_ID, description: 'The same as `id`' }) conversationId: string;
}

export class LinkRatingRequest extends RateConversationRequest {
  @ApiProperty({
    example: 'eyJjb252ZXJzYXRpb25JZCI6IjAxOTJmN2IyIn0.k1.3q2-7wE',
    description: 'The `rate` parameter of the email’s link',
    maxLength: 2000,
  })
  @IsString()
  @Length(1, 2000)
  token: string;
}
