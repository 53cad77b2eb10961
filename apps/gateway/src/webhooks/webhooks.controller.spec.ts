import { UnprocessableEntityException } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/nats-core';
import { randomBytes } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { type Principal, QuerySubjects, RegisterWebhook } from '@parley/contracts';
import { BrokerUnavailable, ContentSeal, JetStreamPublisher, QueryRejected } from '@parley/jetstream';
import { SecretBox } from '@parley/secrets';
import { CommandEndpoint } from '../api/command-endpoint';
import { CommandSender } from '../api/command-sender';
import { PreferWaitCoordinator } from '../api/prefer-wait';
import { Write } from '../api/write';
import { WebhookSecrets } from './webhook-secrets';
import { WebhooksController } from './webhooks.controller';

const admin: Principal = { id: 'admin', role: 'admin' };
const reply = {} as FastifyReply;
const request = { url: 'https://hooks.example.com/parley', events: ['message.created'] };
const box = SecretBox.fromKeyRing(`k1:${randomBytes(32).toString('base64')}`);

/**
 * The controller with delivery's queries answered by `check` (by `registered` for the secret of a
 * webhook id, when given), and the commands it sent.
 */
function registration(check: (subject: string) => Promise<unknown>, registered?: string) {
  const sent: string[] = [];
  const bodies: Array<Record<string, unknown>> = [];
  const commands = {
    send: async (command: { subject: string }, body: Record<string, unknown>) => {
      sent.push(command.subject);
      bodies.push(body);
      return { duplicate: false, seq: 1, stream: 'PARLEY_COMMANDS', domain: '' };
    },
  } as unknown as CommandSender;
  const query = (subject: string) =>
    subject === QuerySubjects.webhookSecret && registered !== undefined
      ? Promise.resolve({ sealedSecret: registered })
      : check(subject);
  const publisher = { query } as unknown as JetStreamPublisher;
  const controller = new WebhooksController(
    new CommandEndpoint(commands, new PreferWaitCoordinator({} as NatsConnection, {} as ContentSeal)),
    publisher,
    new WebhookSecrets(box, publisher),
  );
  const write = new Write(admin, 'POST /v1/webhooks', undefined, undefined, reply);
  return { sent, bodies, create: () => controller.create(request, write) };
}

describe('registering a webhook, as delivery’s endpoint check answers', () => {
  it('takes a URL delivery would call', async () => {
    const { sent, create } = registration(async () => ({ refusal: null }));
    await expect(create()).resolves.toEqual({
      id: expect.any(String),
      secret: expect.stringMatching(/^whsec_/),
    });
    expect(sent).toEqual([RegisterWebhook.subject]);
  });

  it('refuses with 422 and the reason a URL delivery would never call', async () => {
    const { sent, create } = registration(async () => ({
      refusal: 'refused: 10.0.0.7 is not a public address (private)',
    }));
    const refused = await create().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(UnprocessableEntityException);
    expect((refused as Error).message).toBe('url: refused: 10.0.0.7 is not a public address (private)');
    expect(sent).toEqual([]);
  });

  it('takes the URL when delivery cannot answer: away, or failing with a 5xx', async () => {
    for (const failure of [
      new BrokerUnavailable('no answer on parley.query.delivery.webhook-endpoint'),
      new QueryRejected(503, 'Service unavailable', 'not now'),
      new QueryRejected(500, 'Internal error', 'The query failed.'),
    ]) {
      const { sent, create } = registration(() => Promise.reject(failure));
      await expect(create()).resolves.toMatchObject({ secret: expect.stringMatching(/^whsec_/) });
      expect([failure.message, sent]).toEqual([failure.message, [RegisterWebhook.subject]]);
    }
  });

  it('passes on any other answer of delivery’s as the problem it is', async () => {
    const { sent, create } = registration(() =>
      Promise.reject(new QueryRejected(400, 'Bad request', 'url: must be a URL')),
    );
    await expect(create()).rejects.toBeInstanceOf(QueryRejected);
    expect(sent).toEqual([]);
  });
});

describe('a webhook’s signing secret', () => {
  it('is random, shown in the answer, and sent to delivery only sealed', async () => {
    const first = registration(async () => ({ refusal: null, sealedSecret: null }));
    const second = registration(async () => ({ refusal: null, sealedSecret: null }));
    const [a, b] = [await first.create(), await second.create()];
    expect(a.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(a.secret).not.toBe(b.secret);
    const [command] = first.bodies;
    expect(JSON.stringify(command)).not.toContain(a.secret.slice('whsec_'.length));
    expect(box.open(command.sealedSecret as string)).toBe(a.secret);
  });

  it('is the registered one again for a retried registration, resent as sealed as it was', async () => {
    const sealed = box.seal('whsec_dGhlIHJlZ2lzdGVyZWQgb25lIGFsbCBhbG9uZw==');
    const { bodies, create } = registration(async () => ({ refusal: null }), sealed);
    await expect(create()).resolves.toMatchObject({
      secret: 'whsec_dGhlIHJlZ2lzdGVyZWQgb25lIGFsbCBhbG9uZw==',
    });
    expect(bodies[0].sealedSecret).toBe(sealed);
  });
});
