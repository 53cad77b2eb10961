import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { AgentRegisteredData, DELIVERED_EVENT_TYPES, DomainEvent, EventTypes } from '@parley/contracts';
import { HandleEvent, HandleEventBatch } from '@parley/jetstream';
import { WebhookSender } from '../webhooks/webhook-sender';
import { Inbox } from './inbox';

/** Hands each delivered event to the inboxes of its recipients, then to the webhooks subscribed to it. */
@Controller()
export class InboxFanOutHandler {
  constructor(
    private readonly inbox: Inbox,
    private readonly webhooks: WebhookSender,
  ) {}

  /** Every agent is a recipient of a conversation that lands in the queue. */
  @HandleEvent(EventTypes.agentRegistered)
  async agentRegistered(@Payload() event: DomainEvent<AgentRegisteredData>): Promise<void> {
    await this.inbox.registerAgent(event.data.agentId);
  }

  /** Inboxes first: a slow or dead webhook endpoint never holds up anyone's inbox. */
  @HandleEventBatch(...DELIVERED_EVENT_TYPES)
  async delivered(@Payload() events: DomainEvent[]): Promise<void> {
    await this.inbox.deliver(events);
    await this.webhooks.dispatch(events);
  }
}
