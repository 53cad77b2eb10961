import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsOptional,
  IsUrl,
  MaxLength,
} from 'class-validator';
import {
  DELIVERED_EVENT_TYPES,
  Page,
  WebhookAttemptView,
  WebhookDeliveryView,
  WebhookView,
} from '@parley/contracts';
import {
  DELIVERED_AT,
  DELIVERY_CURSOR,
  DELIVERY_ID,
  EVENT_ID,
  WEBHOOK_CREATED_AT,
  WEBHOOK_CURSOR,
  WEBHOOK_ID,
  WEBHOOK_SECRET,
  WEBHOOK_URL,
} from '../api/examples';
import { PageQuery } from '../api/paging';

const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;
type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export class CreateWebhookRequest {
  @ApiProperty({ example: WEBHOOK_URL })
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  @MaxLength(2000)
  url: string;

  @ApiProperty({ enum: DELIVERED_EVENT_TYPES, isArray: true, example: ['message.created'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(DELIVERED_EVENT_TYPES.length)
  @ArrayUnique()
  @IsIn(DELIVERED_EVENT_TYPES, { each: true })
  events: string[];
}

export class WebhookCreated {
  @ApiProperty({ example: WEBHOOK_ID }) id: string;
  @ApiProperty({
    example: WEBHOOK_SECRET,
    description: 'Standard Webhooks signing secret (`whsec_…`); shown only once',
  })
  secret: string;
}

export class WebhookDoc implements WebhookView {
  @ApiProperty({ example: WEBHOOK_ID }) id: string;
  @ApiProperty({ example: WEBHOOK_URL }) url: string;
  @ApiProperty({ type: [String], example: ['message.created'] }) events: string[];
  @ApiProperty({ format: 'date-time', example: WEBHOOK_CREATED_AT }) createdAt: string;
}

export class WebhookPageDoc implements Page<WebhookView> {
  @ApiProperty({ type: [WebhookDoc] }) items: WebhookDoc[];
  @ApiProperty({
    nullable: true,
    type: String,
    example: WEBHOOK_CURSOR,
    description: 'Pass as `cursor` for the next page; null at the end',
  })
  nextCursor: string | null;
}

class AttemptDoc implements WebhookAttemptView {
  @ApiProperty({ example: 1, description: 'Counts from 1' }) attempt: number;
  @ApiProperty({ format: 'date-time', example: DELIVERED_AT }) at: string;
  @ApiProperty({
    nullable: true,
    type: Number,
    example: 503,
    description: 'The endpoint’s HTTP status; null when it did not answer',
  })
  statusCode: number | null;
  @ApiProperty({
    nullable: true,
    type: String,
    example: 'HTTP 503',
    description: 'Why the attempt failed; null when it succeeded',
  })
  error: string | null;
  @ApiProperty({ example: 212 }) durationMs: number;
}

class DeliveryDoc implements WebhookDeliveryView {
  @ApiProperty({
    example: DELIVERY_ID,
    description: 'Also the `webhook-id` header, the same on every attempt',
  })
  id: string;
  @ApiProperty({ example: WEBHOOK_ID }) webhookId: string;
  @ApiProperty({ example: EVENT_ID }) eventId: string;
  @ApiProperty({ example: 'message.created' }) eventType: string;
  @ApiProperty({ enum: DELIVERY_STATUSES, example: 'pending' }) status: DeliveryStatus;
  @ApiProperty({ type: [AttemptDoc] }) attempts: AttemptDoc[];
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    example: '2026-11-25T09:21:01.402Z',
    description: 'When it is tried again; null once it succeeded or failed for good',
  })
  nextAttemptAt: string | null;
  @ApiProperty({ format: 'date-time', example: DELIVERED_AT }) createdAt: string;
}

export class DeliveryPageDoc implements Page<WebhookDeliveryView> {
  @ApiProperty({ type: [DeliveryDoc] }) items: DeliveryDoc[];
  @ApiProperty({
    nullable: true,
    type: String,
    example: DELIVERY_CURSOR,
    description: 'Pass as `cursor` for the next page; null at the end',
  })
  nextCursor: string | null;
}

export class DeliveriesQuery extends PageQuery {
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES, example: 'failed' })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES)
  status?: DeliveryStatus;
}

export class Accepted {
  @ApiProperty({ example: WEBHOOK_ID, description: 'The webhook’s id, or the delivery’s' }) id: string;
}
