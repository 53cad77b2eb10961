import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  AckInbox,
  AgentRegisteredData,
  CursorQuery,
  DeleteWebhook,
  DomainEvent,
  EventTypes,
  DELIVERED_EVENT_TYPES,
  InboxQuery,
  QuerySubjects,
  RegisterWebhook,
  RetryWebhookDelivery,
  SendWebhook,
  WebhookDeliveriesQuery,
  WebhookEndpointQuery,
  WebhookEndpointVerdict,
} from '@parley/contracts';
import { AnswerQuery, HandleCommand, HandleEvent, HandleEventBatch } from '@parley/jetstream';
import { WebhookDeliveries } from '../webhooks/webhook-deliveries';
import { WebhookRegistry } from '../webhooks/webhook-registry';
import { Inbox } from './inbox';

@Controller()
export class DeliveryHandlers {
  constructor(
    private readonly inbox: Inbox,
    private readonly webhooks: WebhookRegistry,
    private readonly deliveries: WebhookDeliveries,
  ) {}

  @HandleEvent(EventTypes.agentRegistered)
  async agentRegistered(@Payload() event: DomainEvent<AgentRegisteredData>): Promise<void> {
    await this.inbox.registerAgent(event.data.agentId);
  }

  /** Inboxes first: a slow or dead webhook endpoint never holds up anyone's inbox. */
  @HandleEventBatch(...DELIVERED_EVENT_TYPES)
  async conversationEvents(@Payload() events: DomainEvent[]): Promise<void> {
    await this.inbox.deliver(events);
    await this.deliveries.dispatch(events);
  }

  @HandleCommand(AckInbox)
  async ack(@Payload() cmd: AckInbox): Promise<void> {
    await this.inbox.acknowledge(cmd);
  }

  @HandleCommand(RegisterWebhook)
  async registerWebhook(@Payload() cmd: RegisterWebhook): Promise<void> {
    await this.webhooks.register(cmd);
  }

  @HandleCommand(DeleteWebhook)
  async deleteWebhook(@Payload() cmd: DeleteWebhook): Promise<void> {
    await this.webhooks.remove(cmd.webhookId);
  }

  @HandleCommand(RetryWebhookDelivery)
  async retryDelivery(@Payload() cmd: RetryWebhookDelivery): Promise<void> {
    await this.deliveries.retry(cmd.webhookId, cmd.deliveryId);
  }

  @HandleCommand(SendWebhook)
  async sendWebhook(@Payload() job: SendWebhook): Promise<void> {
    await this.deliveries.send(job);
  }

  @AnswerQuery(QuerySubjects.inbox)
  inboxPage(@Payload() query: InboxQuery) {
    return this.inbox.page(query);
  }

  @AnswerQuery(QuerySubjects.webhooks)
  webhookList(@Payload() query: CursorQuery) {
    return this.webhooks.list(query);
  }

  @AnswerQuery(QuerySubjects.webhookDeliveries)
  webhookDeliveries(@Payload() query: WebhookDeliveriesQuery) {
    return this.deliveries.list(query);
  }

  @AnswerQuery(QuerySubjects.webhookEndpoint)
  async webhookEndpoint(@Payload() query: WebhookEndpointQuery): Promise<WebhookEndpointVerdict> {
    return { refusal: await this.deliveries.endpointRefusal(query.url) };
  }
}
