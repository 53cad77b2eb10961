import { encodeInboxCursor } from '@parley/contracts';
import { toInboxEventView } from './inbox';

describe('toInboxEventView', () => {
  it("maps an inbox row to its view, with the row's position as the inbox's cursor", () => {
    expect(
      toInboxEventView({
        cursor: '42',
        event_id: 'message.created:m1',
        type: 'message.created',
        conversation_id: 'c1',
        occurred_at: new Date('2026-01-01T10:00:00Z'),
        data: { messageId: 'm1' },
      }),
    ).toEqual({
      id: 'message.created:m1',
      cursor: encodeInboxCursor('42'),
      type: 'message.created',
      conversationId: 'c1',
      occurredAt: '2026-01-01T10:00:00.000Z',
      data: { messageId: 'm1' },
    });
  });
});
