import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  CursorQuery,
  Page,
  QuerySubjects,
  WebhookDeliveriesQuery,
  WebhookDeliveryView,
  WebhookEndpointQuery,
  WebhookEndpointVerdict,
  WebhookSecretAnswer,
  WebhookSecretQuery,
} from '@parley/contracts';
import { AnswerQuery, QueryRejected } from '@parley/jetstream';
import { WebhookDeliveryRepository } from './webhook-delivery.repository';
import { WebhookRepository } from './webhook.repository';
import { WebhookSender } from './webhook-sender';

@Controller()
export class WebhookQueriesHandler {
  constructor(
    private readonly webhooks: WebhookRepository,
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly sender: WebhookSender,
  ) {}

  @AnswerQuery(QuerySubjects.webhooks)
  list(@Payload() query: CursorQuery) {
    return this.webhooks.list(query);
  }

  /** A deleted endpoint's deliveries are kept for the record, but no longer listed. */
  @AnswerQuery(QuerySubjects.webhookDeliveries)
  async deliveriesOf(@Payload() query: WebhookDeliveriesQuery): Promise<Page<WebhookDeliveryView>> {
    if (!(await this.webhooks.exists(query.webhookId)))
      throw new QueryRejected(404, 'Not found', `Webhook ${query.webhookId} was not found.`);
    return this.deliveries.page(query);
  }

  @AnswerQuery(QuerySubjects.webhookEndpoint)
  async endpoint(@Payload() query: WebhookEndpointQuery): Promise<WebhookEndpointVerdict> {
    return { refusal: await this.sender.endpointRefusal(query.url) };
  }

  /** Sealed as it is stored: only a holder of PARLEY_SECRET_KEY (the gateway) can open it. */
  @AnswerQuery(QuerySubjects.webhookSecret)
  async secret(@Payload() query: WebhookSecretQuery): Promise<WebhookSecretAnswer> {
    return { sealedSecret: await this.webhooks.sealedSecretOf(query.webhookId) };
  }
}
