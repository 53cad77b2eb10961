import {
  AddNote,
  DomainEvent,
  EventTypes,
  OpenConversation,
  PostMessage,
  StoredMessageData,
} from '@parley/contracts';
import { ConversationRepository } from './conversations/conversation.repository';
import { HistoryHandlers } from './history.handlers';
import { ConversationHistory } from './messages/conversation-history';
import { AcceptedMessage, MessageRepository } from './messages/message.repository';
import { MessageStatus } from './messages/message-status';
import { ReceiptRepository } from './receipts/receipt.repository';
import { ReportProjection } from './reports/report-projection';
import { MessageSearch } from './search/message-search';

const issued = { issuedBy: { id: 'cu1', role: 'customer' as const }, acceptedAt: '2026-01-01T00:00:00.000Z' };

function handlers() {
  const accepted: AcceptedMessage[][] = [];
  const stored: unknown[] = [];
  const messages = {
    recordAccepted: async (batch: AcceptedMessage[]) => void accepted.push(batch),
    store: async (batch: unknown) => void stored.push(batch),
  } as unknown as MessageRepository;
  const responded: unknown[] = [];
  const reports = {
    responded: async (batch: unknown) => void responded.push(batch),
  } as unknown as ReportProjection;
  const none = {} as never;
  const handler = new HistoryHandlers(
    none as ConversationRepository,
    messages,
    none as ReceiptRepository,
    none as ConversationHistory,
    none as MessageStatus,
    none as MessageSearch,
    reports,
  );
  return { handler, accepted, stored, responded };
}

describe('HistoryHandlers', () => {
  it('records the first message of an opened conversation and a posted message as accepted messages', async () => {
    const { handler, accepted } = handlers();
    const open: OpenConversation = {
      ...issued,
      conversationId: 'c1',
      messageId: 'm1',
      body: 'hi',
      priority: 'normal',
    };
    const post: PostMessage = { ...issued, conversationId: 'c1', messageId: 'm2', body: 'again' };
    await handler.conversationsOpening([open]);
    await handler.messagesPosting([post]);
    expect(accepted).toEqual([
      [
        {
          id: 'm1',
          conversationId: 'c1',
          author: issued.issuedBy,
          type: 'message',
          body: 'hi',
          acceptedAt: issued.acceptedAt,
          via: 'api',
        },
      ],
      [
        {
          id: 'm2',
          conversationId: 'c1',
          author: issued.issuedBy,
          type: 'message',
          body: 'again',
          acceptedAt: issued.acceptedAt,
          via: 'api',
        },
      ],
    ]);
  });

  it('records a reply by email as accepted by email', async () => {
    const { handler, accepted } = handlers();
    const post: PostMessage = {
      ...issued,
      conversationId: 'c1',
      messageId: 'm3',
      body: 'Thanks!',
      via: 'email',
    };
    await handler.messagesPosting([post]);
    expect(accepted).toEqual([[expect.objectContaining({ id: 'm3', via: 'email' })]]);
  });

  it('records an added note as an accepted note under its note id', async () => {
    const { handler, accepted } = handlers();
    const note: AddNote = { ...issued, conversationId: 'c1', noteId: 'n1', body: 'vip' };
    await handler.notesAdding([note]);
    expect(accepted).toEqual([[expect.objectContaining({ id: 'n1', type: 'note', body: 'vip' })]]);
  });

  it("stores messages with their conversation's customer, for the customer's search, and hands them to reports", async () => {
    const { handler, stored, responded } = handlers();
    const data: StoredMessageData = {
      messageId: 'm1',
      conversationId: 'c1',
      seq: 1,
      authorId: 'a1',
      authorRole: 'agent',
      type: 'message',
      body: 'hello',
      createdAt: issued.acceptedAt,
    };
    const event: DomainEvent<StoredMessageData> = {
      id: 'message.created:m1',
      type: EventTypes.messageCreated,
      conversationId: 'c1',
      customerId: 'cu1',
      occurredAt: issued.acceptedAt,
      data,
    };
    await handler.messagesStored([event]);
    expect(stored).toEqual([[{ message: data, customerId: 'cu1' }]]);
    expect(responded).toEqual([[data]]);
  });
});
