import { toMessageView } from './message.repository';

const row = {
  id: 'm1',
  conversation_id: 'c1',
  seq: 4,
  author_id: 'a1',
  author_role: 'agent',
  type: 'note' as const,
  body: 'internal',
  created_at: new Date('2026-01-01T10:00:00Z'),
  via: 'api' as const,
  attachments: null,
};

describe('toMessageView', () => {
  it('maps a stored row to its view, times as RFC 3339', () => {
    expect(toMessageView(row)).toEqual({
      id: 'm1',
      conversationId: 'c1',
      seq: 4,
      authorId: 'a1',
      authorRole: 'agent',
      type: 'note',
      body: 'internal',
      createdAt: '2026-01-01T10:00:00.000Z',
      via: 'api',
    });
  });

  it('says a reply by email came by email', () => {
    expect(toMessageView({ ...row, type: 'message', via: 'email' })).toMatchObject({ via: 'email' });
  });

  it('carries the attachments of a message that has them', () => {
    const attachments = [{ id: 'f1', name: 'parcel.png', contentType: 'image/png' as const, size: 12 }];
    expect(toMessageView({ ...row, attachments })).toMatchObject({ attachments });
  });

  it('keeps the missing seq and body of a message not stored', () => {
    expect(toMessageView({ ...row, seq: null, body: null })).toMatchObject({ seq: null, body: null });
  });
});
