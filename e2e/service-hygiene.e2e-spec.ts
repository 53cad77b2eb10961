import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { DEFAULT_PARTITIONS, subjectFor } from '@parley/contracts';
import { ParleySystem, ServiceProcess, startNats, TEST_ADMIN_TOKEN, waitFor } from '@parley/testing';
import { answer, clientOf } from './support/actors';

describe('service hygiene', () => {
  let system: ParleySystem;
  let customerToken: string;
  let agentToken: string;

  const admin = () => clientOf(system, TEST_ADMIN_TOKEN);
  const open = (token: string, body: string, headers?: Record<string, string>) =>
    answer(clientOf(system, token).POST('/v1/conversations', { headers, body: { body } }));
  const post = (token: string, conversationId: string, body: string) =>
    answer(
      clientOf(system, token).POST('/v1/conversations/{id}/messages', {
        params: { path: { id: conversationId } },
        body: { body },
      }),
    );
  const messages = (token: string, conversationId: string) =>
    answer(
      clientOf(system, token).GET('/v1/conversations/{id}/messages', {
        params: { path: { id: conversationId } },
      }),
    );

  beforeAll(async () => {
    system = await ParleySystem.start();
    const customer = await admin().POST('/v1/customers', { body: { externalId: 'crm-h' } });
    const agent = await admin().POST('/v1/agents', { body: { name: 'Ada', email: 'ada@example.com' } });
    customerToken = customer.data?.token ?? '';
    agentToken = agent.data?.token ?? '';
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
  });

  it('serves health, metrics and the OpenAPI document', async () => {
    for (const service of Object.values(system.services)) {
      expect((await fetch(`${service.url}/health/live`)).status).toBe(200);
      const ready = await fetch(`${service.url}/health/ready`);
      expect(ready.status).toBe(200);
      expect(((await ready.json()) as { info: { nats: { status: string } } }).info.nats.status).toBe('up');
      const metrics = await (await fetch(`${service.url}/metrics`)).text();
      expect(metrics).toContain('process_cpu_user_seconds_total');
    }
    // Not part of /v1, so not in the typed client.
    const doc = await system.api('GET', '/docs/openapi.json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/v1/agents',
        '/v1/customers',
        '/v1/conversations',
        '/v1/conversations/{id}/messages',
        '/v1/inbox',
      ]),
    );
  });

  it.each([
    ['an unknown field', { body: 'hi', sneaky: true }, 'sneaky'],
    ['a missing body', { subject: 'no body' }, 'body'],
    ['a body of the wrong type', { body: 42 }, 'body'],
    ['an empty body', { body: '' }, 'body'],
    ['a body over 10,000 characters', { body: 'x'.repeat(10_001) }, 'body'],
    ['an unknown priority', { body: 'hi', priority: 'asap' }, 'priority'],
  ])('rejects %s with a 400 problem naming the field', async (_, body, field) => {
    // Raw on purpose: bodies the typed client's types refuse.
    const res = await system.api('POST', '/v1/conversations', { token: customerToken, body });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status: 400, title: 'Bad request' });
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('answers malformed JSON, bad ids, bad cursors and bad tokens with 4xx problems', async () => {
    // Raw on purpose: malformed bodies, out-of-range queries, bad tokens and unknown routes.
    const malformed = await fetch(`${system.gatewayUrl}/v1/conversations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${customerToken}`, 'content-type': 'application/json' },
      body: '{"body": ',
    });
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('content-type')).toContain('application/problem+json');

    const badId = await system.api('GET', `/v1/conversations/${'x'.repeat(65)}/messages`, {
      token: customerToken,
    });
    expect(badId.status).toBe(400);
    const badCursor = await system.api('GET', '/v1/inbox?cursor=not-a-cursor', { token: customerToken });
    expect(badCursor.status).toBe(400);
    const badLimit = await system.api('GET', '/v1/inbox?limit=201', { token: customerToken });
    expect(badLimit.status).toBe(400);

    expect((await system.api('GET', '/v1/inbox')).status).toBe(401);
    expect((await system.api('GET', '/v1/inbox', { token: `${customerToken}x` })).status).toBe(401);
    expect(
      (
        await system.api('POST', '/v1/agents', {
          token: agentToken,
          body: { name: 'x', email: 'x@example.com' },
        })
      ).status,
    ).toBe(403);
    expect(
      (await system.api('POST', '/v1/conversations', { token: agentToken, body: { body: 'hi' } })).status,
    ).toBe(403);
    const unknown = await system.api('GET', '/v1/nothing-here', { token: customerToken });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toContain('application/problem+json');
  });

  it('never shows a customer another customer’s conversation', async () => {
    const otherToken =
      (await admin().POST('/v1/customers', { body: { externalId: 'crm-h2' } })).data?.token ?? '';
    const opened = await open(customerToken, 'private');
    const conversationId = opened.body.id;
    await waitFor('the conversation in history', async () => {
      const res = await messages(customerToken, conversationId);
      return res.status === 200 && res.body.items.length === 1;
    });
    const peek = await messages(otherToken, conversationId);
    expect(peek.status).toBe(404);

    const intrusion = await post(otherToken, conversationId, 'let me in');
    expect(intrusion.status).toBe(404);
    const missing = await messages(otherToken, '0'.repeat(36));
    expect(missing.status).toBe(404);
    expect(Object.keys(missing.body).sort()).toEqual(Object.keys(peek.body).sort());

    // With the conversation service offline the write is accepted, then rejected with a reason that
    // does not tell "someone else's" from "does not exist".
    await system.services.conversation.stop('SIGTERM');
    const blind = await post(otherToken, conversationId, 'let me in');
    expect(blind.status).toBe(202);
    await system.services.conversation.start();
    const rejected = await waitFor('the rejection in the intruder’s inbox', async () => {
      const inbox = await clientOf(system, otherToken).GET('/v1/inbox');
      return inbox.data?.events.find((e) => e.type === 'message.rejected');
    });
    expect(rejected.data).toMatchObject({
      messageId: blind.body.id,
      reason: 'The conversation does not exist or you are not one of its participants.',
    });
    const history = await messages(customerToken, conversationId);
    expect(history.body.items.map((m) => m.body)).toEqual(['private']);
  });

  it('carries the correlation id and trace id from the HTTP request through every hop', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const opened = await open(customerToken, 'trace me', {
      'x-correlation-id': 'corr-e2e-1',
      traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
    });
    expect(opened.headers.get('x-correlation-id')).toBe('corr-e2e-1');
    const nc = await connect({ servers: system.nats.url });
    try {
      const jsm = await jetstreamManager(nc);
      // The event was published by the conversation service while handling the command: a second hop.
      const event = await waitFor('the message.created event', async () => {
        const stored = await jsm.streams.getMessage('PARLEY_EVENTS', {
          last_by_subj: subjectFor(
            'parley.evt.message.created',
            { conversationId: opened.body.id },
            DEFAULT_PARTITIONS,
          ),
        });
        const matches =
          stored?.json<{ data: { messageId: string } }>().data.messageId === opened.body.messageId;
        return matches && stored ? stored : undefined;
      });
      expect(event.header.get('x-correlation-id')).toBe('corr-e2e-1');
      expect(event.header.get('traceparent')).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    } finally {
      await nc.close();
    }
  });

  it('answers 503, never 202, while the broker is down, and recovers without restarts', async () => {
    await system.nats.kill('SIGKILL');
    const whileDown = await open(customerToken, 'are you there?');
    expect(whileDown.status).toBe(503);
    expect(whileDown.headers.get('retry-after')).toBeTruthy();
    const readiness = await fetch(`${system.services.conversation.url}/health/ready`);
    expect(readiness.status).toBe(503);

    await system.nats.start();
    for (const service of Object.values(system.services)) await service.waitReady();
    const opened = await waitFor('a write accepted again', async () => {
      const res = await open(customerToken, 'back again');
      return res.status === 202 ? res.body : undefined;
    });
    await waitFor('the new conversation stored', async () => {
      const res = await messages(customerToken, opened.id);
      return res.status === 200 && res.body.items[0]?.body === 'back again';
    });
    for (const service of Object.values(system.services)) expect(service.running).toBe(true);
  }, 60_000);

  it('drains to the end when told to stop twice (a supervisor repeating SIGTERM), and exits 0', async () => {
    const conversation = system.services.conversation;
    // A signal that ends it instead (the default action once no handler is left) gives null.
    expect(await conversation.stop('SIGTERM', 2)).toBe(0);
    await conversation.start();
    const opened = await open(customerToken, 'after the restart');
    expect(opened.status).toBe(202);
  });

  it('refuses to start a process that splits the streams into another number of partitions', async () => {
    const odd = await ServiceProcess.create('gateway', { ...system.env, PARLEY_PARTITIONS: '8' });
    const { code, output } = await odd.runUntilExit();
    expect(code).toBe(1);
    expect(output).toMatch(/PARLEY_PARTITIONS=8, but the durables of [a-z-]+ were made for 16 partitions/);
  });
});

describe('configuration and dependencies at start', () => {
  it('stops with a message naming a wrong configuration value', async () => {
    const gateway = await ServiceProcess.create('gateway', { PARLEY_MAX_DELIVER: 'lots' });
    const { code, output } = await gateway.runUntilExit();
    expect(code).toBe(1);
    expect(output).toContain('PARLEY_MAX_DELIVER');
    expect(output).not.toMatch(/\n\s+at /);
  });

  it('refuses to start in production on the development admin token and signing secret', async () => {
    const gateway = await ServiceProcess.create('gateway', {
      NODE_ENV: 'production',
      PARLEY_ADMIN_TOKEN: '',
      PARLEY_JWT_SECRET: '',
    });
    const { code, output } = await gateway.runUntilExit();
    expect(code).toBe(1);
    expect(output).toContain('PARLEY_ADMIN_TOKEN and PARLEY_JWT_SECRET must be set in production');
  });

  it('says where it looked for NATS and how to start it', async () => {
    const history = await ServiceProcess.create('history', { NATS_URL: 'nats://127.0.0.1:1' });
    const { code, output } = await history.runUntilExit();
    expect(code).toBe(1);
    expect(output).toContain('Cannot reach NATS at nats://127.0.0.1:1');
    expect(output).toContain('nats-server -js');
  });

  it('says where it looked for PostgreSQL', async () => {
    const nats = await startNats();
    try {
      const history = await ServiceProcess.create('history', {
        NATS_URL: nats.url,
        DATABASE_URL: 'postgres://postgres@127.0.0.1:1/parley',
      });
      const { code, output } = await history.runUntilExit();
      expect(code).toBe(1);
      expect(output).toContain('Cannot reach PostgreSQL at 127.0.0.1:1/parley');
    } finally {
      await nats.stop();
    }
  });
});
