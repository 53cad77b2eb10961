import {
  Body,
  Controller,
  Delete,
  Get,
  Param,
  Post,
  Query,
  UnprocessableEntityException,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  DeleteWebhook,
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
import { AcceptedAnswer, CommandEndpoint } from '../api/command-endpoint';
import { DELIVERY_CURSOR, WEBHOOK_CURSOR } from '../api/examples';
import { IdParam } from '../api/id-param.pipe';
import { PageQuery, pageOf } from '../api/paging';
import { ApiDeliveryIdParam, ApiListCursor, ApiWebhookIdParam } from '../api/params.doc';
import { ApiPreferWait } from '../api/prefer-wait.doc';
import { ApiProblems } from '../api/problem.doc';
import { CurrentWrite, Idempotent, Write } from '../api/write';
import { Allow, CurrentPrincipal } from '../auth/auth';
import { answerId, Audited, pathId } from '../audit/audited';
import {
  CreateWebhookRequest,
  DeliveriesQuery,
  DeliveryPageDoc,
  Accepted,
  WebhookCreated,
  WebhookPageDoc,
} from './webhooks.dto';
import { WebhookSecrets } from './webhook-secrets';

@ApiTags('webhooks')
@ApiBearerAuth()
@ApiProblems(400, 401, 403, 404, 422, 503)
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(
    private readonly commands: CommandEndpoint,
    private readonly publisher: JetStreamPublisher,
    private readonly secrets: WebhookSecrets,
  ) {}

  @Post()
  @Allow('admin')
  @ApiOperation({ operationId: 'createWebhook', summary: 'Register a webhook endpoint' })
  @AcceptedAnswer(
    WebhookCreated,
    'Deliveries follow the Standard Webhooks specification (webhook-id, webhook-timestamp, webhook-signature with HMAC-SHA256); payload `{type, timestamp, data}`. Non-2xx or timeout is retried on PARLEY_WEBHOOK_RETRY_SCHEDULE with jitter. Only public addresses are called, unless the operator allowed a network (PARLEY_WEBHOOK_ALLOWED_NETWORKS): a URL that is (or resolves to) a loopback, private, link-local or other non-public address is refused with 422, and an attempt whose name resolves to one later fails with a `refused:` error.',
  )
  @ApiPreferWait(WebhookCreated, 'With `Prefer: wait=N`: registered; deliveries of later events go to it')
  // The events, not the URL: a URL may carry credentials.
  @Audited('webhook.register', answerId('webhook'), {
    details: ({ body }) => ({ events: (body as CreateWebhookRequest).events }),
  })
  @Idempotent()
  async create(@Body() body: CreateWebhookRequest, @CurrentWrite() write: Write): Promise<WebhookCreated> {
    await this.refuseUncallable(body.url);
    const webhookId = write.allocate();
    const { secret, sealed } = await this.secrets.issue(webhookId);
    const command = { ...body, webhookId, sealedSecret: sealed };
    const created = { id: webhookId, secret };
    return this.commands.confirm(
      write,
      { type: RegisterWebhook, body: command, msgId: webhookId },
      created,
      201,
    );
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
    return this.publisher.query(QuerySubjects.webhooks, { principal, ...pageOf(query) });
  }

  @Delete(':id')
  @ApiWebhookIdParam()
  @Allow('admin')
  @ApiOperation({ operationId: 'deleteWebhook', summary: 'Delete a webhook endpoint' })
  @AcceptedAnswer(Accepted, 'Nothing more is sent to it; its deliveries stay listed')
  @ApiPreferWait(Accepted, 'With `Prefer: wait=N`: deleted (or it was already)', 200)
  @Audited('webhook.delete', pathId('webhook'))
  remove(@Param('id', IdParam) webhookId: string, @CurrentWrite() write: Write): Promise<Accepted> {
    const command = { type: DeleteWebhook, body: { webhookId }, msgId: `delete:${webhookId}` };
    return this.commands.confirm(write, command, { id: webhookId });
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
      ...pageOf(query),
    });
  }

  @Post(':id/deliveries/:deliveryId/retry')
  @ApiWebhookIdParam()
  @ApiDeliveryIdParam()
  @Allow('admin')
  @ApiOperation({ operationId: 'retryWebhookDelivery', summary: 'Send a webhook delivery again' })
  @AcceptedAnswer(Accepted, 'Sends the delivery once more with the same webhook-id')
  async retry(
    @Param('id', IdParam) webhookId: string,
    @Param('deliveryId', IdParam) deliveryId: string,
    @CurrentWrite() write: Write,
  ): Promise<Accepted> {
    const body = { webhookId, deliveryId };
    await this.commands.send(write, { type: RetryWebhookDelivery, body, msgId: write.allocate() });
    return { id: deliveryId };
  }
}
