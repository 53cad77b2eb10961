import { ApiProperty, ApiPropertyOptional, ApiPropertyOptions } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import {
  AddNote,
  MESSAGE_BODY_MAX,
  MESSAGE_VIAS,
  MessageStatusView,
  MessageVia,
  MessageView,
  Page,
  PostMessage,
  ReceiptView,
  SEQ_MAX,
} from '@parley/contracts';
import {
  AGENT_ID,
  CONVERSATION_ID,
  CUSTOMER_ID,
  DELIVERED_AT,
  MESSAGE_CURSOR,
  READ_AT,
  REPLIED_AT,
  REPLY_BODY,
  REPLY_ID,
} from '../api/examples';
import { RequestFrom } from '../api/request-from';
import { ATTACHMENT_ID, AttachmentItem } from '../attachments/attachments.dto';
import { LimitQuery } from '../api/paging';

/*
 * The requests and answers of a conversation's messages and notes: the requests take their rules
 * from the commands they become, the answers implement history's views.
 */

/** How a message came in, as its answers describe it. */
const VIA: ApiPropertyOptions = {
  enum: MESSAGE_VIAS,
  example: 'api',
  description:
    "How the message came in: `api` (the API, the widget or the console), `email` (the customer replied to a notification by email), `automatic` (the site's automatic reply out of business hours)",
};

export class PostMessageRequest extends RequestFrom(PostMessage, {
  given: ['body', 'attachments'],
  // `via` is the mail service's to set: a request never claims a message came by email.
  assigned: ['conversationId', 'messageId', 'via'],
}) {
  @ApiProperty({ example: REPLY_BODY, minLength: 1, maxLength: MESSAGE_BODY_MAX })
  override body: string;

  @ApiPropertyOptional({
    type: [String],
    example: [ATTACHMENT_ID],
    description:
      'Ids of attachments uploaded into this conversation (`POST /v1/conversations/{id}/attachments`), at most PARLEY_ATTACHMENTS_PER_MESSAGE_MAX (default 5). One that does not exist or was uploaded into another conversation gets the message rejected.',
  })
  override attachments?: string[];
}

export class NoteRequest extends RequestFrom(AddNote, {
  given: ['body'],
  assigned: ['conversationId', 'noteId'],
}) {
  @ApiProperty({ example: 'Customer is on the premium plan.', minLength: 1, maxLength: MESSAGE_BODY_MAX })
  override body: string;
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
  @Max(SEQ_MAX)
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
  @Max(SEQ_MAX)
  before?: number;
}

export class MessageItem implements MessageView {
  @ApiProperty({ example: REPLY_ID }) id: string;
  @ApiProperty({ example: CONVERSATION_ID }) conversationId: string;
  @ApiProperty({ example: 2 }) seq: number;
  @ApiProperty({ example: AGENT_ID }) authorId: string;
  @ApiProperty({ enum: ['agent', 'customer'], example: 'agent' }) authorRole: string;
  @ApiProperty({ enum: ['message', 'note'], example: 'message' }) type: 'message' | 'note';
  @ApiProperty({ example: REPLY_BODY }) body: string;
  @ApiProperty({ format: 'date-time', example: REPLIED_AT }) createdAt: string;
  @ApiProperty(VIA) via: MessageVia;
  @ApiPropertyOptional({ type: [AttachmentItem], description: 'Files the message carries; absent when none' })
  attachments?: AttachmentItem[];
}

export class MessagePage implements Page<MessageView> {
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

class ReceiptDoc implements ReceiptView {
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

export class MessageStatusDoc implements MessageStatusView {
  @ApiProperty({ example: REPLY_ID }) id: string;
  @ApiProperty({ example: CONVERSATION_ID }) conversationId: string;
  @ApiProperty({ nullable: true, type: Number, example: 2, description: 'null until stored' })
  seq: number | null;
  @ApiProperty({ example: AGENT_ID }) authorId: string;
  @ApiProperty({ enum: ['agent', 'customer'], example: 'agent' }) authorRole: string;
  @ApiProperty({ enum: ['message', 'note'], example: 'message' }) type: 'message' | 'note';
  @ApiProperty({ nullable: true, type: String, example: REPLY_BODY }) body: string | null;
  @ApiProperty({ format: 'date-time', example: REPLIED_AT }) createdAt: string;
  @ApiProperty(VIA) via: MessageVia;
  @ApiProperty({ enum: ['accepted', 'stored', 'rejected'], example: 'stored' }) status:
    'accepted' | 'stored' | 'rejected';
  @ApiPropertyOptional({
    example: 'The conversation does not exist or you are not one of its participants.',
    description: 'Why it was rejected (only when `rejected`)',
  })
  rejection?: string;
  @ApiPropertyOptional({ type: [AttachmentItem], description: 'Files the message carries; absent when none' })
  attachments?: AttachmentItem[];
  @ApiProperty({ type: [ReceiptDoc] }) receipts: ReceiptDoc[];
}
