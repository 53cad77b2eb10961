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
import { AnswerQuery, HandleCommandBatch, HandleEvent, HandleEventBatch } from '@parley/jetstream';
import { ConversationRepository } from './conversations/conversation.repository';
import { ConversationHistory } from './messages/conversation-history';
import { AcceptedMessage, MessageRepository } from './messages/message.repository';
import { MessageStatus } from './messages/message-status';
import { ReceiptRepository } from './receipts/receipt.repository';
import { ReportProjection } from './reports/report-projection';
import { MessageSearch } from './search/message-search';

function accepted(
  id: string,
  type: AcceptedMessage['type'],
  cmd: OpenConversation | PostMessage | AddNote,
): AcceptedMessage {
  return {
    id,
    conversationId: cmd.conversationId,
    author: cmd.issuedBy,
    type,
    body: cmd.body,
    acceptedAt: cmd.acceptedAt,
    via: ('via' in cmd && cmd.via) || 'api',
  };
}

/** Everything history hears: the events it stores, the commands it records as accepted, and its queries. */
@Controller()
export class HistoryHandlers {
  constructor(
    private readonly conversations: ConversationRepository,
    private readonly messages: MessageRepository,
    private readonly receipts: ReceiptRepository,
    private readonly history: ConversationHistory,
    private readonly status: MessageStatus,
    private readonly finder: MessageSearch,
    private readonly reports: ReportProjection,
  ) {}

  @HandleEventBatch(EventTypes.conversationCreated)
  async conversationsCreated(@Payload() events: DomainEvent<ConversationCreatedData>[]): Promise<void> {
    await this.conversations.record(events.map((e) => e.data));
    await this.reports.opened(events.map((e) => e.data));
  }

  @HandleEventBatch(EventTypes.messageCreated, EventTypes.noteCreated)
  async messagesStored(@Payload() events: DomainEvent<StoredMessageData>[]): Promise<void> {
    await this.messages.store(events.map((e) => ({ message: e.data, customerId: e.customerId })));
    await this.reports.responded(events.map((e) => e.data));
  }

  @HandleEvent(EventTypes.messageRejected)
  async messageRejected(@Payload() event: DomainEvent<MessageRejectedData>): Promise<void> {
    await this.messages.recordRejected(event.data, event.occurredAt);
  }

  @HandleEvent(EventTypes.receiptRead)
  async read(@Payload() event: DomainEvent<ReceiptReadData>): Promise<void> {
    await this.receipts.recordRead(event.id, event.data);
  }

  @HandleEvent(EventTypes.receiptDelivered)
  async delivered(@Payload() event: DomainEvent<ReceiptDeliveredData>): Promise<void> {
    await this.receipts.recordDelivered(event.data);
  }

  @HandleCommandBatch(OpenConversation)
  async conversationsOpening(@Payload() commands: OpenConversation[]): Promise<void> {
    await this.messages.recordAccepted(commands.map((c) => accepted(c.messageId, 'message', c)));
  }

  @HandleCommandBatch(PostMessage)
  async messagesPosting(@Payload() commands: PostMessage[]): Promise<void> {
    await this.messages.recordAccepted(commands.map((c) => accepted(c.messageId, 'message', c)));
  }

  @HandleCommandBatch(AddNote)
  async notesAdding(@Payload() commands: AddNote[]): Promise<void> {
    await this.messages.recordAccepted(commands.map((c) => accepted(c.noteId, 'note', c)));
  }

  @AnswerQuery(QuerySubjects.conversationMessages)
  conversationMessages(@Payload() query: ConversationMessagesQuery) {
    return this.history.page(query);
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
