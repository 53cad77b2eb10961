import { toWebhookDeliveryView } from './webhook-delivery.repository';

describe('toWebhookDeliveryView', () => {
  it('maps a delivery row with its attempts, every time as RFC 3339', () => {
    expect(
      toWebhookDeliveryView({
        id: 'whd_1',
        webhook_id: 'wh_1',
        event_id: 'message.created:m1',
        event_type: 'message.created',
        status: 'pending',
        next_attempt_at: new Date('2026-01-01T10:00:05Z'),
        created_at: new Date('2026-01-01T10:00:00Z'),
        attempts: [
          {
            attempt: 1,
            at: '2026-01-01T10:00:00.5+00:00',
            statusCode: 500,
            error: 'HTTP 500',
            durationMs: 12,
          },
        ],
      }),
    ).toEqual({
      id: 'whd_1',
      webhookId: 'wh_1',
      eventId: 'message.created:m1',
      eventType: 'message.created',
      status: 'pending',
      attempts: [
        { attempt: 1, at: '2026-01-01T10:00:00.500Z', statusCode: 500, error: 'HTTP 500', durationMs: 12 },
      ],
      nextAttemptAt: '2026-01-01T10:00:05.000Z',
      createdAt: '2026-01-01T10:00:00.000Z',
    });
  });

  it('has no next attempt for a delivery that is done', () => {
    const view = toWebhookDeliveryView({
      id: 'whd_1',
      webhook_id: 'wh_1',
      event_id: 'e',
      event_type: 'message.created',
      status: 'succeeded',
      next_attempt_at: null,
      created_at: new Date('2026-01-01T10:00:00Z'),
      attempts: [],
    });
    expect(view.nextAttemptAt).toBeNull();
  });
});
