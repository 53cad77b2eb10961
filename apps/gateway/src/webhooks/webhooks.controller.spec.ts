import { UnprocessableEntityException } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/nats-core';
import type { FastifyReply } from 'fastify';
import { type Principal, RegisterWebhook } from '@parley/contracts';
import { BrokerUnavailable, JetStreamPublisher, QueryRejected } from '@parley/jetstream';
import { CommandEndpoint } from '../api/command-endpoint';
import { CommandSender } from '../api/command-sender';
import { PreferWaitCoordinator } from '../api/prefer-wait';
import { Write } from '../api/write';
import { GatewayEnv } from '../gateway.env';
import { WebhooksController } from './webhooks.controller';

const admin: Principal = { id: 'admin', role: 'admin' };
const reply = {} as FastifyReply;
const request = { url: 'https://hooks.example.com/parley', events: ['message.created'] };

/** The controller with delivery's endpoint check answered by `check`, and the commands it sent. */
function registration(check: () => Promise<unknown>) {
  const sent: string[] = [];
  const commands = {
    send: async (command: { subject: string }) => {
      sent.push(command.subject);
      return { duplicate: false, seq: 1, stream: 'PARLEY_COMMANDS', domain: '' };
    },
  } as unknown as CommandSender;
  const publisher = { query: check } as unknown as JetStreamPublisher;
  const config = { PARLEY_JWT_SECRET: 'a-secret-for-the-test-of-at-least-32-chars' } as GatewayEnv;
  const controller = new WebhooksController(
    new CommandEndpoint(commands, new PreferWaitCoordinator({} as NatsConnection)),
    publisher,
    config,
  );
  const write = new Write(admin, 'POST /v1/webhooks', undefined, undefined, reply);
  return { sent, create: () => controller.create(request, write) };
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
