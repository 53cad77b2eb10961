import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  AddNote,
  ConversationCreatedData,
  ConversationMessagesQuery,
  DomainEvent,
  EventTypes,
  MessageQuery,
  MessageRejectedData,
  OpenConversation,
  PostMessage,
  QuerySubjects,
  ReceiptDeliveredData,
  ReceiptReadData,
  SearchQuery,
  StoredMessageData,
} from '@parley/contracts';
import { AnswerQuery, HandleCommand, HandleEvent } from '@parley/jetstream';
import { MessageSearch } from '../search/message-search';
import { MessageArchive } from './message-archive';
import { MessageStatus } from './message-status';

@Controller()
export class HistoryHandlers {
  constructor(
    private readonly archive: MessageArchive,
    private readonly status: MessageStatus,
    private readonly finder: MessageSearch,
  ) {}

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
    await this.archive.store(event.data, event.customerId);
  }

  @HandleEvent(EventTypes.messageRejected)
  async messageRejected(@Payload() event: DomainEvent<MessageRejectedData>): Promise<void> {
    await this.status.recordRejected(event.data, event.occurredAt);
  }

  @HandleEvent(EventTypes.receiptRead)
  async read(@Payload() event: DomainEvent<ReceiptReadData>): Promise<void> {
    await this.status.recordRead(event.id, event.data);
  }

  @HandleEvent(EventTypes.receiptDelivered)
  async delivered(@Payload() event: DomainEvent<ReceiptDeliveredData>): Promise<void> {
    await this.status.recordDelivered(event.data);
  }

  @HandleCommand(OpenConversation)
  async conversationOpening(@Payload() cmd: OpenConversation): Promise<void> {
    await this.accepted(cmd.messageId, 'message', cmd);
  }

  @HandleCommand(PostMessage)
  async messagePosting(@Payload() cmd: PostMessage): Promise<void> {
    await this.accepted(cmd.messageId, 'message', cmd);
  }

  @HandleCommand(AddNote)
  async noteAdding(@Payload() cmd: AddNote): Promise<void> {
    await this.accepted(cmd.noteId, 'note', cmd);
  }

  private accepted(id: string, type: 'message' | 'note', cmd: OpenConversation | PostMessage | AddNote) {
    return this.status.recordAccepted({
      id,
      conversationId: cmd.conversationId,
      author: cmd.issuedBy,
      type,
      body: cmd.body,
      acceptedAt: cmd.acceptedAt,
    });
  }

  @AnswerQuery(QuerySubjects.conversationMessages)
  conversationMessages(@Payload() query: ConversationMessagesQuery) {
    return this.archive.page(query);
  }

  @AnswerQuery(QuerySubjects.message)
  message(@Payload() query: MessageQuery) {
    return this.status.view(query);
  }

  @AnswerQuery(QuerySubjects.search)
  search(@Payload() query: SearchQuery) {
    return this.finder.search(query);
  }
}
