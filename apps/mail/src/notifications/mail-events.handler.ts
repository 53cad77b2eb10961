import { Controller, Inject } from '@nestjs/common';
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
  PresenceChangedData,
  ReceiptReadData,
  SiteConfiguredData,
  StatusChangedData,
  SetAgentDigest,
  StoredMessageData,
  UnsubscribeCustomer,
} from '@parley/contracts';
import { HandleCommand, HandleEvent, HandleEventBatch } from '@parley/jetstream';
import { SERVICE_CONFIG } from '@parley/runtime';
import { DataSource } from 'typeorm';
import { MailEnv } from '../mail.env';
import { PeopleRepository } from '../people/people.repository';
import { ConversationFollower } from './conversation-follower';

/** Maps each event and command mail acts on to one call. */
@Controller()
export class MailEventsHandler {
  constructor(
    private readonly db: DataSource,
    private readonly people: PeopleRepository,
    private readonly follower: ConversationFollower,
    @Inject(SERVICE_CONFIG) private readonly config: MailEnv,
  ) {}

  @HandleEvent(EventTypes.customerRegistered)
  async customerRegistered(@Payload() event: DomainEvent<CustomerRegisteredData>): Promise<void> {
    await this.db.transaction((m) => this.people.saveCustomer(m, event.data));
  }

  @HandleEvent(EventTypes.agentRegistered)
  async agentRegistered(@Payload() event: DomainEvent<AgentRegisteredData>): Promise<void> {
    await this.db.transaction((m) => this.people.saveAgent(m, event.data));
  }

  @HandleEvent(EventTypes.presenceChanged)
  async presenceChanged(@Payload() event: DomainEvent<PresenceChangedData>): Promise<void> {
    const { agentId, status } = event.data;
    await this.db.transaction((m) =>
      this.people.setPresence(m, agentId, status, this.config.PARLEY_MAIL_AGENT_DIGEST_INTERVAL_SECONDS),
    );
  }

  @HandleCommand(SetAgentDigest)
  async setDigest(@Payload() cmd: SetAgentDigest): Promise<void> {
    await this.db.transaction((m) => this.people.setDigest(m, cmd.agentId, cmd.emailDigest));
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

  /**
   * Every message passes through here and most are the customer's own, which mail leaves alone: in
   * batches, what several partitions have ready is settled together (ADR 18), not one by one. Each
   * agent reply is recorded once (`addReply`), so a batch tried again message by message after a
   * failure schedules nothing twice.
   */
  @HandleEventBatch(EventTypes.messageCreated)
  async messagesCreated(@Payload() events: DomainEvent<StoredMessageData>[]): Promise<void> {
    for (const event of events) await this.follower.messageCreated(event);
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
