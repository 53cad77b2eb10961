import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  AgentRegisteredData,
  ConversationAssignedData,
  ConversationCreatedData,
  ConversationRatedData,
  ConversationTransferredData,
  CustomerRegisteredData,
  DomainEvent,
  EventTypes,
  ReceiptReadData,
  SiteConfiguredData,
  StatusChangedData,
  StoredMessageData,
  UnsubscribeCustomer,
} from '@parley/contracts';
import { HandleCommand, HandleEvent } from '@parley/jetstream';
import { DataSource } from 'typeorm';
import { PeopleRepository } from '../people/people.repository';
import { ConversationFollower } from './conversation-follower';

/** Maps each event and command about customers' notifications to one call. */
@Controller()
export class MailEventsHandler {
  constructor(
    private readonly db: DataSource,
    private readonly people: PeopleRepository,
    private readonly follower: ConversationFollower,
  ) {}

  @HandleEvent(EventTypes.customerRegistered)
  async customerRegistered(@Payload() event: DomainEvent<CustomerRegisteredData>): Promise<void> {
    await this.db.transaction((m) => this.people.saveCustomer(m, event.data));
  }

  @HandleEvent(EventTypes.agentRegistered)
  async agentRegistered(@Payload() event: DomainEvent<AgentRegisteredData>): Promise<void> {
    await this.db.transaction((m) => this.people.saveAgent(m, event.data));
  }

  @HandleEvent(EventTypes.siteConfigured)
  async siteConfigured(@Payload() event: DomainEvent<SiteConfiguredData>): Promise<void> {
    await this.db.transaction((m) => this.people.saveSite(m, event.data));
  }

  @HandleEvent(EventTypes.conversationCreated)
  async conversationCreated(@Payload() event: DomainEvent<ConversationCreatedData>): Promise<void> {
    await this.follower.created(event);
  }

  @HandleEvent(EventTypes.conversationAssigned)
  async conversationAssigned(@Payload() event: DomainEvent<ConversationAssignedData>): Promise<void> {
    await this.follower.assigned(event);
  }

  @HandleEvent(EventTypes.conversationTransferred)
  async conversationTransferred(@Payload() event: DomainEvent<ConversationTransferredData>): Promise<void> {
    await this.follower.transferred(event);
  }

  @HandleEvent(EventTypes.messageCreated)
  async messageCreated(@Payload() event: DomainEvent<StoredMessageData>): Promise<void> {
    await this.follower.messageCreated(event);
  }

  @HandleEvent(EventTypes.receiptRead)
  async receiptRead(@Payload() event: DomainEvent<ReceiptReadData>): Promise<void> {
    await this.follower.read(event);
  }

  @HandleEvent(EventTypes.statusChanged)
  async statusChanged(@Payload() event: DomainEvent<StatusChangedData>): Promise<void> {
    await this.follower.statusChanged(event);
  }

  @HandleEvent(EventTypes.conversationRated)
  async conversationRated(@Payload() event: DomainEvent<ConversationRatedData>): Promise<void> {
    await this.follower.rated(event);
  }

  @HandleCommand(UnsubscribeCustomer)
  async unsubscribe(@Payload() cmd: UnsubscribeCustomer): Promise<void> {
    await this.db.transaction((m) => this.people.unsubscribe(m, cmd.customerId));
  }
}
