import { Webhook } from 'standardwebhooks';
import { randomBytes } from 'node:crypto';
import { signWebhook } from './signature';

const newWebhookSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

describe('webhook signature', () => {
  it('verifies with the reference Standard Webhooks implementation', () => {
    const secret = newWebhookSecret();
    const body = JSON.stringify({
      type: 'message.created',
      timestamp: '2026-01-01T00:00:00Z',
      data: { a: 1 },
    });
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = {
      'webhook-id': 'whd_1',
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signWebhook(secret, 'whd_1', timestamp, body),
    };
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(newWebhookSecret()).verify(body, headers)).toThrow();
    expect(() => new Webhook(secret).verify(`${body} `, headers)).toThrow();
  });
});
