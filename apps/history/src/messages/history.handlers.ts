import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  ConversationCreatedData,
  ConversationMessagesQuery,
  DomainEvent,
  EventTypes,
  QuerySubjects,
  StoredMessageData,
} from '@parley/contracts';
import { AnswerQuery, HandleEvent } from '@parley/jetstream';
import { MessageArchive } from './message-archive';

@Controller()
export class HistoryHandlers {
  constructor(private readonly archive: MessageArchive) {}

  @HandleEvent(EventTypes.conversationCreated)
  async conversationCreated(@Payload() event: DomainEvent<ConversationCreatedData>): Promise<void> {
    await this.archive.recordConversation(
      event.data.conversationId,
      event.data.customerId,
      event.data.createdAt,
    );
  }

  @HandleEvent(EventTypes.messageCreated, EventTypes.noteCreated)
  async messageStored(@Payload() event: DomainEvent<StoredMessageData>): Promise<void> {
    await this.archive.store(event.data);
  }

  @AnswerQuery(QuerySubjects.conversationMessages)
  conversationMessages(@Payload() query: ConversationMessagesQuery) {
    return this.archive.page(query);
  }
}
