import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { DomainEvent, EventTypes, SendWebhook } from '@parley/contracts';
import { JetStreamPublisher, RetryLater } from '@parley/jetstream';
import { SecretBox } from '@parley/secrets';
import { DeliveryEnv } from '../delivery.env';
import { AttemptResult } from './retry-schedule';
import {
  AttemptOutcome,
  DeliveryToSend,
  NewDelivery,
  WebhookDeliveryRepository,
} from './webhook-delivery.repository';
import { WebhookRepository } from './webhook.repository';
import { deliveryIdFor, WebhookSender } from './webhook-sender';

const secret = `whsec_${Buffer.from('a secret of twenty-four!').toString('base64')}`;
const box = SecretBox.fromKeyRing(`k1:${randomBytes(32).toString('base64')}`);

/** An in-memory stand-in for the delivery table, keeping to the repository's promises. */
function deliveryTable(rows: DeliveryToSend[], { claimable = true } = {}) {
  const table = new Map(rows.map((row) => [row.id, { ...row }]));
  const recorded: NewDelivery[] = [];
  const attempts: Array<{ attempt: number; outcome: AttemptOutcome; result: AttemptResult }> = [];
  const repository = {
    record: async (deliveries: NewDelivery[]) => void recorded.push(...deliveries),
    reopen: async (webhookId: string, id: string) => {
      const row = table.get(id);
      if (row?.webhookId !== webhookId) return undefined;
      row.status = 'pending';
      return row.attempts;
    },
    toSend: async (id: string) => {
      const row = table.get(id);
      return row && { ...row };
    },
    fail: async (id: string) => {
      const row = table.get(id);
      if (row) row.status = 'failed';
    },
    claimAttempt: async (id: string, attempt: number) => {
      const row = table.get(id);
      if (!claimable || row?.status !== 'pending' || row.attempts !== attempt - 1) return false;
      row.attempts = attempt;
      return true;
    },
    recordAttempt: async (id: string, attempt: number, outcome: AttemptOutcome, result: AttemptResult) => {
      attempts.push({ attempt, outcome, result });
      const row = table.get(id);
      if (row) row.status = result.status;
    },
  } as unknown as WebhookDeliveryRepository;
  return { repository, table, recorded, attempts };
}

describe('WebhookSender', () => {
  const senders: WebhookSender[] = [];
  let server: Server;
  let url: string;
  let answer = 204;
  const received: Array<{ headers: Record<string, string>; body: string }> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        received.push({ headers: req.headers as Record<string, string>, body });
        res.statusCode = answer;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });

  afterAll(async () => {
    for (const sender of senders) await sender.onApplicationShutdown();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    answer = 204;
    received.length = 0;
  });

  function sender(
    deliveries: WebhookDeliveryRepository,
    subscribers: Record<string, string[]> = {},
    allowedNetworks = '127.0.0.0/8',
  ) {
    const published: Array<[string, SendWebhook, string]> = [];
    const webhooks = {
      subscribedTo: async (type: string) => subscribers[type] ?? [],
    } as unknown as WebhookRepository;
    const publisher = {
      publish: async (subject: string, job: SendWebhook, msgId: string) =>
        void published.push([subject, job, msgId]),
    } as unknown as JetStreamPublisher;
    const config = Object.assign(new DeliveryEnv(), {
      PARLEY_WEBHOOK_RETRY_SCHEDULE: '5,30',
      PARLEY_WEBHOOK_TIMEOUT_MS: 5_000,
      PARLEY_WEBHOOK_ALLOWED_NETWORKS: allowedNetworks,
    });
    const created = new WebhookSender(webhooks, deliveries, publisher, config, box);
    senders.push(created);
    return { sender: created, published };
  }

  const pending = (overrides: Partial<DeliveryToSend> = {}): DeliveryToSend => ({
    id: 'whd_1',
    webhookId: 'wh_1',
    status: 'pending',
    attempts: 0,
    payload: { type: 'message.created', timestamp: '2026-01-01T00:00:00Z', data: { eventId: 'e1' } },
    url,
    sealedSecret: box.seal(secret),
    endpointDeleted: false,
    ...overrides,
  });

  describe('dispatch', () => {
    const created: DomainEvent = {
      id: 'message.created:m1',
      type: EventTypes.messageCreated,
      conversationId: 'c1',
      occurredAt: '2026-01-01T00:00:00Z',
      data: { messageId: 'm1', body: 'hi' },
    };
    const note: DomainEvent = { ...created, id: 'note.created:n1', type: EventTypes.noteCreated };

    it('makes one delivery per subscribed endpoint and event, and queues each under its own id', async () => {
      const { repository, recorded } = deliveryTable([]);
      const { sender: webhooks, published } = sender(repository, { 'message.created': ['wh_1', 'wh_2'] });
      await webhooks.dispatch([created, note]);
      const payload = {
        type: 'message.created',
        timestamp: '2026-01-01T00:00:00Z',
        data: { eventId: 'message.created:m1', conversationId: 'c1', messageId: 'm1', body: 'hi' },
      };
      expect(recorded).toEqual([
        {
          id: deliveryIdFor('wh_1', created.id),
          webhookId: 'wh_1',
          eventId: created.id,
          eventType: created.type,
          payload,
        },
        {
          id: deliveryIdFor('wh_2', created.id),
          webhookId: 'wh_2',
          eventId: created.id,
          eventType: created.type,
          payload,
        },
      ]);
      expect(published).toEqual(recorded.map(({ id }) => [SendWebhook.subject, { deliveryId: id }, id]));
    });

    it('gives a redelivered event the same delivery ids, so nothing is queued twice', () => {
      expect(deliveryIdFor('wh_1', created.id)).toBe(deliveryIdFor('wh_1', created.id));
      expect(deliveryIdFor('wh_1', created.id)).not.toBe(deliveryIdFor('wh_2', created.id));
      expect(deliveryIdFor('wh_1', created.id)).not.toBe(deliveryIdFor('wh_1', note.id));
    });

    it('records and queues nothing when no endpoint subscribed', async () => {
      const { repository, recorded } = deliveryTable([]);
      const { sender: webhooks, published } = sender(repository);
      await webhooks.dispatch([created]);
      expect([recorded, published]).toEqual([[], []]);
    });
  });

  describe('retry', () => {
    it('queues the delivery again under a new message id, continuing its attempts', async () => {
      const { repository, table } = deliveryTable([pending({ status: 'failed', attempts: 3 })]);
      const { sender: webhooks, published } = sender(repository);
      await webhooks.retry('wh_1', 'whd_1');
      expect(table.get('whd_1')?.status).toBe('pending');
      expect(published).toEqual([[SendWebhook.subject, { deliveryId: 'whd_1' }, 'whd_1:retry:3']]);
    });

    it("queues nothing for a delivery that is not the endpoint's", async () => {
      const { repository } = deliveryTable([pending()]);
      const { sender: webhooks, published } = sender(repository);
      await webhooks.retry('wh_2', 'whd_1');
      expect(published).toEqual([]);
    });
  });

  describe('send', () => {
    it('posts the payload signed per Standard Webhooks and records the success', async () => {
      const { repository, attempts } = deliveryTable([pending()]);
      await sender(repository).sender.send({ deliveryId: 'whd_1' });
      expect(received).toHaveLength(1);
      const [{ headers, body }] = received;
      expect(headers['webhook-id']).toBe('whd_1');
      expect(new Webhook(secret).verify(body, headers)).toEqual(pending().payload);
      expect(attempts).toEqual([
        {
          attempt: 1,
          outcome: expect.objectContaining({ statusCode: 204, error: null }),
          result: { status: 'succeeded' },
        },
      ]);
    });

    it('calls nothing with a secret sealed under a key it does not hold, and tries again later', async () => {
      const elsewhere = SecretBox.fromKeyRing(`k9:${randomBytes(32).toString('base64')}`);
      const { repository, attempts } = deliveryTable([pending({ sealedSecret: elsewhere.seal(secret) })]);
      const failure = await sender(repository)
        .sender.send({ deliveryId: 'whd_1' })
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(RetryLater);
      expect(received).toEqual([]);
      expect(attempts[0].outcome).toMatchObject({
        statusCode: null,
        error: 'cannot sign: secret sealed under key k9, which PARLEY_SECRET_KEY does not hold',
      });
    });

    it('schedules the next attempt after a failed one, by the retry schedule', async () => {
      answer = 500;
      const { repository, attempts } = deliveryTable([pending()]);
      const failure = await sender(repository)
        .sender.send({ deliveryId: 'whd_1' })
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(RetryLater);
      expect((failure as RetryLater).delayMs).toBeGreaterThanOrEqual(4_000);
      expect((failure as RetryLater).delayMs).toBeLessThanOrEqual(6_000);
      expect(attempts).toEqual([
        {
          attempt: 1,
          outcome: expect.objectContaining({ statusCode: 500, error: 'HTTP 500' }),
          result: { status: 'pending', retryInMs: (failure as RetryLater).delayMs },
        },
      ]);
    });

    it('fails the delivery when the last attempt of the schedule fails', async () => {
      answer = 503;
      const { repository, table, attempts } = deliveryTable([pending({ attempts: 2 })]);
      await sender(repository).sender.send({ deliveryId: 'whd_1' });
      expect(attempts.map((a) => [a.attempt, a.result])).toEqual([[3, { status: 'failed' }]]);
      expect(table.get('whd_1')?.status).toBe('failed');
    });

    it('never connects to an address outside the allowed networks, and retries later', async () => {
      const { repository, attempts } = deliveryTable([pending({ url: 'http://10.0.0.1/hook' })]);
      await expect(sender(repository).sender.send({ deliveryId: 'whd_1' })).rejects.toBeInstanceOf(
        RetryLater,
      );
      expect(attempts[0].outcome).toEqual({
        statusCode: null,
        error: expect.stringMatching(/^refused: 10\.0\.0\.1 is not a public address/),
        ms: 0,
      });
    });

    it('fails without a request a delivery whose endpoint was deleted', async () => {
      const { repository, table, attempts } = deliveryTable([pending({ endpointDeleted: true })]);
      await sender(repository).sender.send({ deliveryId: 'whd_1' });
      expect(table.get('whd_1')?.status).toBe('failed');
      expect([received, attempts]).toEqual([[], []]);
    });

    it('does nothing for a delivery that is done, unknown, or whose attempt another work item claimed', async () => {
      for (const { repository, attempts } of [
        deliveryTable([pending({ status: 'succeeded' })]),
        deliveryTable([]),
        deliveryTable([pending()], { claimable: false }),
      ]) {
        await sender(repository).sender.send({ deliveryId: 'whd_1' });
        expect(attempts).toEqual([]);
      }
      expect(received).toEqual([]);
    });
  });
});
