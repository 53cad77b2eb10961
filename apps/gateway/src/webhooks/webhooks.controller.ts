import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  Res,
  UnprocessableEntityException,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
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
import { createHmac } from 'node:crypto';
import {
  DeleteWebhook,
  DELIVERED_EVENT_TYPES,
  PAGE_LIMIT_DEFAULT,
  Page,
  Principal,
  QuerySubjects,
  RegisterWebhook,
  RetryWebhookDelivery,
  WebhookDeliveryView,
  WebhookEndpointVerdict,
  WebhookView,
} from '@parley/contracts';
import { JetStreamPublisher, unanswered } from '@parley/jetstream';
import { SERVICE_CONFIG } from '@parley/runtime';
import { GatewayEnv } from '../gateway.env';
import { Allow, CurrentPrincipal } from '../auth/auth';
import { AppliedEvents, SendCommand } from '../http/applied-events';
import { CommandSender } from '../http/command-sender';
import { ApiPreferWait } from '../http/prefer-wait.doc';
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
} from '../http/examples';
import { PageQuery } from '../conversations/conversations.dto';
import { IdParam } from '../http/id-param.pipe';
import { IdAllocator, idempotencyKey } from '../http/ids';
import { ApiIdempotencyKey } from '../http/idempotency.doc';
import { ApiProblems } from '../http/problem.doc';
import { ApiDeliveryIdParam, ApiListCursor, ApiWebhookIdParam } from '../http/params.doc';

const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;

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

class WebhookDoc {
  @ApiProperty({ example: WEBHOOK_ID }) id: string;
  @ApiProperty({ example: WEBHOOK_URL }) url: string;
  @ApiProperty({ type: [String], example: ['message.created'] }) events: string[];
  @ApiProperty({ format: 'date-time', example: WEBHOOK_CREATED_AT }) createdAt: string;
}

class WebhookPageDoc {
  @ApiProperty({ type: [WebhookDoc] }) items: WebhookDoc[];
  @ApiProperty({
    nullable: true,
    type: String,
    example: WEBHOOK_CURSOR,
    description: 'Pass as `cursor` for the next page; null at the end',
  })
  nextCursor: string | null;
}

class AttemptDoc {
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

class DeliveryDoc {
  @ApiProperty({
    example: DELIVERY_ID,
    description: 'Also the `webhook-id` header, the same on every attempt',
  })
  id: string;
  @ApiProperty({ example: WEBHOOK_ID }) webhookId: string;
  @ApiProperty({ example: EVENT_ID }) eventId: string;
  @ApiProperty({ example: 'message.created' }) eventType: string;
  @ApiProperty({ enum: DELIVERY_STATUSES, example: 'pending' }) status: string;
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

class DeliveryPageDoc {
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
  status?: (typeof DELIVERY_STATUSES)[number];
}

class Accepted {
  @ApiProperty({ example: WEBHOOK_ID, description: 'The webhook’s id, or the delivery’s' }) id: string;
}

@ApiTags('webhooks')
@ApiBearerAuth()
@ApiProblems(400, 401, 403, 404, 422, 503)
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(
    private readonly commands: CommandSender,
    private readonly publisher: JetStreamPublisher,
    private readonly applied: AppliedEvents,
    @Inject(SERVICE_CONFIG) private readonly config: GatewayEnv,
  ) {}

  @Post()
  @HttpCode(202)
  @Allow('admin')
  @ApiOperation({ operationId: 'createWebhook', summary: 'Register a webhook endpoint' })
  @ApiIdempotencyKey()
  @ApiAcceptedResponse({
    type: WebhookCreated,
    description:
      'Deliveries follow the Standard Webhooks specification (webhook-id, webhook-timestamp, webhook-signature with HMAC-SHA256); payload `{type, timestamp, data}`. Non-2xx or timeout is retried on PARLEY_WEBHOOK_RETRY_SCHEDULE with jitter. Only public addresses are called, unless the operator allowed a network (PARLEY_WEBHOOK_ALLOWED_NETWORKS): a URL that is (or resolves to) a loopback, private, link-local or other non-public address is refused with 422, and an attempt whose name resolves to one later fails with a `refused:` error.',
  })
  @ApiPreferWait(WebhookCreated, 'With `Prefer: wait=N`: registered; deliveries of later events go to it')
  async create(
    @Body() body: CreateWebhookRequest,
    @CurrentPrincipal() admin: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Headers('idempotency-key') key?: string,
    @Headers('prefer') prefer?: string,
  ): Promise<WebhookCreated> {
    await this.refuseUncallable(body.url);
    const webhookId = new IdAllocator(admin, 'POST /v1/webhooks', idempotencyKey(key)).allocate();
    // Derived from the id with the server's secret: a retried request gets the same secret back,
    // and nobody without PARLEY_JWT_SECRET can compute it.
    const derived = createHmac('sha256', this.config.PARLEY_JWT_SECRET)
      .update(`webhook-secret\n${webhookId}`)
      .digest();
    const secret = `whsec_${derived.subarray(0, 24).toString('base64')}`;
    const command: Omit<RegisterWebhook, 'issuedBy' | 'acceptedAt'> = {
      webhookId,
      url: body.url,
      events: body.events,
      secret,
    };
    const created = { id: webhookId, secret };
    const register: SendCommand = (notice) =>
      this.commands.send(RegisterWebhook, command, admin, webhookId, notice);
    return this.applied.confirm(prefer, reply, created, register, 201);
  }

  /**
   * Delivery knows which addresses it may call (PARLEY_WEBHOOK_ALLOWED_NETWORKS): a URL it would
   * never call is refused now rather than fail every attempt. When delivery cannot answer (away, or
   * failing: a 5xx), the URL is taken, as the conversation precheck takes a write; each connection
   * is checked when it is made anyway.
   */
  private async refuseUncallable(url: string): Promise<void> {
    let verdict: WebhookEndpointVerdict;
    try {
      verdict = await this.publisher.query<WebhookEndpointVerdict>(
        QuerySubjects.webhookEndpoint,
        { url },
        2_000,
      );
    } catch (error) {
      if (unanswered(error)) return;
      throw error;
    }
    if (verdict.refusal) throw new UnprocessableEntityException(`url: ${verdict.refusal}`);
  }

  @Get()
  @Allow('admin')
  @ApiOperation({ operationId: 'listWebhooks', summary: 'List webhook endpoints' })
  @ApiOkResponse({ type: WebhookPageDoc })
  @ApiListCursor(WEBHOOK_CURSOR)
  list(@Query() query: PageQuery, @CurrentPrincipal() principal: Principal): Promise<Page<WebhookView>> {
    return this.publisher.query(QuerySubjects.webhooks, {
      principal,
      cursor: query.cursor,
      limit: query.limit ?? PAGE_LIMIT_DEFAULT,
    });
  }

  @Delete(':id')
  @ApiWebhookIdParam()
  @HttpCode(202)
  @Allow('admin')
  @ApiOperation({ operationId: 'deleteWebhook', summary: 'Delete a webhook endpoint' })
  @ApiAcceptedResponse({
    type: Accepted,
    description: 'Nothing more is sent to it; its deliveries stay listed',
  })
  @ApiPreferWait(Accepted, 'With `Prefer: wait=N`: deleted (or it was already)', 200)
  async remove(
    @Param('id', IdParam) webhookId: string,
    @CurrentPrincipal() admin: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Headers('prefer') prefer?: string,
  ): Promise<Accepted> {
    const deleted = { id: webhookId };
    return this.applied.confirm(prefer, reply, deleted, (notice) =>
      this.commands.send(DeleteWebhook, { webhookId }, admin, `delete:${webhookId}`, notice),
    );
  }

  @Get(':id/deliveries')
  @ApiListCursor(DELIVERY_CURSOR)
  @ApiWebhookIdParam()
  @Allow('admin')
  @ApiOperation({
    operationId: 'listWebhookDeliveries',
    summary: 'List the deliveries of a webhook endpoint',
  })
  @ApiOkResponse({ type: DeliveryPageDoc, description: 'Newest first, each with its attempts' })
  deliveries(
    @Param('id', IdParam) webhookId: string,
    @Query() query: DeliveriesQuery,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Page<WebhookDeliveryView>> {
    return this.publisher.query(QuerySubjects.webhookDeliveries, {
      principal,
      webhookId,
      status: query.status,
      cursor: query.cursor,
      limit: query.limit ?? PAGE_LIMIT_DEFAULT,
    });
  }

  @Post(':id/deliveries/:deliveryId/retry')
  @ApiWebhookIdParam()
  @ApiDeliveryIdParam()
  @HttpCode(202)
  @Allow('admin')
  @ApiOperation({ operationId: 'retryWebhookDelivery', summary: 'Send a webhook delivery again' })
  @ApiAcceptedResponse({
    type: Accepted,
    description: 'Sends the delivery once more with the same webhook-id',
  })
  async retry(
    @Param('id', IdParam) webhookId: string,
    @Param('deliveryId', IdParam) deliveryId: string,
    @CurrentPrincipal() admin: Principal,
  ): Promise<Accepted> {
    const msgId = new IdAllocator(
      admin,
      `POST /v1/webhooks/${webhookId}/deliveries/${deliveryId}/retry`,
      undefined,
    ).allocate();
    await this.commands.send(RetryWebhookDelivery, { webhookId, deliveryId }, admin, msgId);
    return { id: deliveryId };
  }
}
