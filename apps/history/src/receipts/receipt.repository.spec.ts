import { toReceiptView } from './receipt.repository';

const at = (iso: string) => new Date(iso);

describe('toReceiptView', () => {
  it('keeps delivery and reading apart when both happened', () => {
    expect(
      toReceiptView({
        recipient_id: 'a1',
        delivered_at: at('2026-01-01T10:00:00Z'),
        read_at: at('2026-01-01T10:05:00Z'),
      }),
    ).toEqual({
      recipientId: 'a1',
      deliveredAt: '2026-01-01T10:00:00.000Z',
      readAt: '2026-01-01T10:05:00.000Z',
    });
  });

  it('counts a message read without an inbox ack as delivered when it was read', () => {
    expect(
      toReceiptView({ recipient_id: 'a1', delivered_at: null, read_at: at('2026-01-01T10:05:00Z') }),
    ).toEqual({
      recipientId: 'a1',
      deliveredAt: '2026-01-01T10:05:00.000Z',
      readAt: '2026-01-01T10:05:00.000Z',
    });
  });

  it('leaves readAt empty for a message only delivered', () => {
    expect(
      toReceiptView({ recipient_id: 'cu1', delivered_at: at('2026-01-01T10:00:00Z'), read_at: null }),
    ).toEqual({
      recipientId: 'cu1',
      deliveredAt: '2026-01-01T10:00:00.000Z',
      readAt: null,
    });
  });
});
