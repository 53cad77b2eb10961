import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  AgentRegisteredData,
  DomainEvent,
  EventTypes,
  INBOX_EVENT_TYPES,
  InboxQuery,
  QuerySubjects,
} from '@parley/contracts';
import { AnswerQuery, HandleEvent } from '@parley/jetstream';
import { Inbox } from './inbox';

@Controller()
export class DeliveryHandlers {
  constructor(private readonly inbox: Inbox) {}

  @HandleEvent(EventTypes.agentRegistered)
  async agentRegistered(@Payload() event: DomainEvent<AgentRegisteredData>): Promise<void> {
    await this.inbox.registerAgent(event.data.agentId);
  }

  @HandleEvent(...INBOX_EVENT_TYPES)
  async conversationEvent(@Payload() event: DomainEvent): Promise<void> {
    await this.inbox.deliver(event);
  }

  @AnswerQuery(QuerySubjects.inbox)
  inboxPage(@Payload() query: InboxQuery) {
    return this.inbox.page(query);
  }
}
