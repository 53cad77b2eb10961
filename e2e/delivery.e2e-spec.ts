import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { EventSource } from 'eventsource';
import { Webhook } from 'standardwebhooks';
import { connect } from '@nats-io/transport-node';
import { DELIVERED_EVENT_TYPES, liveSubject } from '@parley/contracts';
import { ParleySystem, TEST_ADMIN_TOKEN, waitFor } from '@parley/testing';
import {
  Actor,
  clientOf,
  conversationAs,
  newAgent,
  newCustomer,
  openConversation,
  setPresence,
  wholeInbox,
} from './support/actors';

interface Received {
  id: string;
  type: string;
  data: { id: string; cursor: string; type: string; data: { body?: string; messageId?: string } };
}

/** A real SSE client (the `eventsource` package) on the inbox stream, collecting every event. */
function openStream(system: ParleySystem, actor: Actor, lastEventId?: string) {
  const received: Received[] = [];
  const source = new EventSource(`${system.gatewayUrl}/v1/inbox/stream`, {
    fetch: (input, init) =>
      fetch(input, {
        ...init,
        headers: {
          ...(init?.headers as Record<string, string>),
          authorization: `Bearer ${actor.token}`,
          ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
        },
      }),
  });
  for (const type of DELIVERED_EVENT_TYPES) {
    source.addEventListener(type, (e) =>
      received.push({ id: e.lastEventId, type, data: JSON.parse(e.data) }),
    );
  }
  return { source, received };
}

interface Hook {
  url: string;
  server: Server;
  requests: Array<{ headers: IncomingMessage['headers']; body: string }>;
}

/** A webhook receiver on localhost; `respond` is told how many times it has seen this webhook-id. */
function receiver(
  respond: (req: IncomingMessage, res: ServerResponse, attempt: number) => void,
): Promise<Hook> {
  const requests: Hook['requests'] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      requests.push({ headers: req.headers, body });
      respond(req, res, requests.filter((r) => r.headers['webhook-id'] === req.headers['webhook-id']).length);
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, server, requests }),
    ),
  );
}

describe('delivery: inboxes, live streams, receipts and webhooks', () => {
  let system: ParleySystem;
  let agent: Actor;
  let customer: Actor;
  let conversationId: string;
  const hooks: Hook[] = [];

  const post = async (actor: Actor, body: string) => {
    const { data, response } = await clientOf(system, actor).POST('/v1/conversations/{id}/messages', {
      params: { path: { id: conversationId } },
      body: { body },
    });
    expect(response.status).toBe(202);
    return data?.id as string;
  };
  const admin = () => clientOf(system, TEST_ADMIN_TOKEN);

  beforeAll(async () => {
    system = await ParleySystem.start({
      PARLEY_WEBHOOK_RETRY_SCHEDULE: '1,1,1,1',
      PARLEY_WEBHOOK_TIMEOUT_MS: '1000',
      // The receivers listen on loopback, which webhooks may not reach by default (the last test).
      PARLEY_WEBHOOK_ALLOWED_NETWORKS: '127.0.0.0/8',
    });
    agent = await newAgent(system, { capacity: 10 });
    customer = await newCustomer(system);
    await setPresence(system, agent, 'online');
    conversationId = (await openConversation(system, customer, { body: 'hello' })).id;
    await waitFor(
      'assignment',
      async () => (await conversationAs(system, agent, conversationId)).assigneeId === agent.id,
    );
  }, 120_000);

  afterAll(async () => {
    for (const hook of hooks) hook.server.closeAllConnections?.();
    for (const hook of hooks) hook.server.close();
    await system?.stop();
  });

  it('streams live, and after a disconnect resumes with Last-Event-ID with exactly what was missed', async () => {
    const first = openStream(system, customer);
    await waitFor('the backlog', async () => first.received.some((e) => e.type === 'message.created'));
    const live = await post(agent, 'live one');
    await waitFor('the live message', async () => first.received.some((e) => e.data.data.messageId === live));
    const lastSeen = first.received[first.received.length - 1].id;
    first.source.close();

    const missed: string[] = [];
    for (let n = 1; n <= 50; n++) missed.push(await post(agent, `missed ${n}`));
    await waitFor('all 50 in the inbox', async () => {
      const events = await wholeInbox(system, customer);
      return missed.every((id) => events.some((e) => e.data.messageId === id));
    });

    const second = openStream(system, customer, lastSeen);
    await waitFor('the 50 missed', async () => second.received.length >= 50);
    expect(second.received.map((e) => e.data.data.body)).toEqual(missed.map((_, i) => `missed ${i + 1}`));
    const after = await post(agent, 'live again');
    await waitFor('live after catch-up', async () =>
      second.received.some((e) => e.data.data.messageId === after),
    );
    expect(second.received).toHaveLength(51);
    expect(second.received.map((e) => e.id)).toEqual(second.received.map((e) => e.data.cursor));
    second.source.close();
  });

  it('serves several streams of one principal (devices) at once, each getting every event once', async () => {
    const phone = openStream(system, customer);
    const laptop = openStream(system, customer);
    try {
      await waitFor('both backlogs', async () => phone.received.length > 0 && laptop.received.length > 0);
      const sent = await post(agent, 'to every device');
      for (const device of [phone, laptop]) {
        await waitFor('the message on the device', async () =>
          device.received.some((e) => e.data.data.messageId === sent),
        );
        expect(device.received.filter((e) => e.data.data.messageId === sent)).toHaveLength(1);
        expect(new Set(device.received.map((e) => e.id)).size).toBe(device.received.length);
      }
    } finally {
      phone.source.close();
      laptop.source.close();
    }
  });

  it('holds a long poll until something arrives, and returns empty after the wait when nothing does', async () => {
    const api = clientOf(system, customer);
    const inbox = async (query: { cursor?: string; limit?: number; wait?: number }) => {
      const { data, response } = await api.GET('/v1/inbox', { params: { query } });
      if (!data) throw new Error(`inbox: ${response.status}`);
      return data;
    };
    let page = await inbox({ limit: 200 });
    let cursor = page.nextCursor ?? undefined;
    while (page.events.length === 200) {
      page = await inbox({ limit: 200, cursor });
      cursor = page.nextCursor ?? undefined;
    }
    const idleStart = Date.now();
    const idle = await inbox({ cursor, wait: 2 });
    expect(idle.events).toEqual([]);
    expect(Date.now() - idleStart).toBeGreaterThanOrEqual(1_900);

    const waitingStart = Date.now();
    const waiting = inbox({ cursor, wait: 20 });
    await new Promise((r) => setTimeout(r, 500));
    const sent = await post(agent, 'wake up');
    const answered = await waiting;
    expect(answered.events.map((e) => (e.type === 'message.created' ? e.data.messageId : e.type))).toEqual([
      sent,
    ]);
    expect(Date.now() - waitingStart).toBeLessThan(5_000);
  });

  it('wakes a principal’s readers once per stored batch, not once per event, and the stream still gets each event', async () => {
    const stream = openStream(system, customer);
    const nc = await connect({ servers: system.nats.url });
    let notifications = 0;
    nc.subscribe(liveSubject(customer.id), {
      callback: () => {
        notifications++;
      },
    });
    try {
      await waitFor('the stream’s backlog', async () => stream.received.length > 0);
      // Delivery away while 40 messages are written: it comes back to them as one backlog.
      expect(await system.services.delivery.stop('SIGTERM')).toBe(0);
      const sent: string[] = [];
      for (let n = 1; n <= 40; n++) sent.push(await post(agent, `backlog ${n}`));
      await system.services.delivery.start();
      await waitFor('all 40 on the stream', async () =>
        sent.every((id) => stream.received.some((e) => e.data.data.messageId === id)),
      );
      const onStream = stream.received.filter((e) => sent.includes(e.data.data.messageId ?? ''));
      expect(onStream.map((e) => e.data.data.messageId)).toEqual(sent);
      expect(notifications).toBeGreaterThan(0);
      expect(notifications).toBeLessThan(10);
    } finally {
      stream.source.close();
      await nc.close();
    }
  }, 60_000);

  it('keeps every inbox complete and in order when delivery is killed while 200 events happen', async () => {
    const sent: string[] = [];
    for (let n = 1; n <= 200; n++) {
      if (n === 60) await system.services.delivery.stop('SIGKILL');
      sent.push(await post(customer, `burst ${n}`));
    }
    await system.services.delivery.start();
    for (const actor of [customer, agent]) {
      const events = await waitFor(
        'the burst in the inbox',
        async () => {
          const all = await wholeInbox(system, actor);
          const burst = all.filter((e) => String(e.data.body ?? '').startsWith('burst '));
          return burst.length >= 200 ? burst : undefined;
        },
        60_000,
        500,
      );
      expect(events.map((e) => e.data.messageId)).toEqual(sent);
      const all = await wholeInbox(system, actor);
      expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
    }
  }, 120_000);

  it('shows deliveredAt after an inbox ack and readAt after a read', async () => {
    const messageId = await post(customer, 'did you get this?');
    const events = await waitFor('the message in the agent inbox', async () => {
      const all = await wholeInbox(system, agent);
      return all.some((e) => e.data.messageId === messageId) ? all : undefined;
    });
    const mine = events.find((e) => e.data.messageId === messageId);
    const agentApi = clientOf(system, agent);
    const customerApi = clientOf(system, customer);
    const message = { params: { path: { id: messageId } } };
    expect(
      (await agentApi.POST('/v1/inbox/ack', { body: { cursor: mine?.cursor ?? '' } })).response.status,
    ).toBe(202);
    const delivered = await waitFor('deliveredAt', async () => {
      const { data } = await customerApi.GET('/v1/messages/{id}', message);
      return data?.receipts.find((r) => r.recipientId === agent.id);
    });
    expect(delivered).toMatchObject({ deliveredAt: expect.any(String), readAt: null });

    const seq = (await agentApi.GET('/v1/messages/{id}', message)).data?.seq ?? 0;
    await agentApi.POST('/v1/conversations/{id}/read', {
      params: { path: { id: conversationId } },
      body: { seq },
    });
    const read = await waitFor('readAt', async () => {
      const { data } = await customerApi.GET('/v1/messages/{id}', message);
      const receipt = data?.receipts.find((r) => r.recipientId === agent.id);
      return receipt?.readAt ? receipt : undefined;
    });
    expect(read.deliveredAt).toBe(delivered.deliveredAt);
    const receipt = await waitFor('the read receipt in the customer’s inbox', async () =>
      (await wholeInbox(system, customer)).find((e) => e.type === 'receipt.read' && e.data.seq === seq),
    );
    expect(receipt.data).toMatchObject({ readerId: agent.id });
    expect((await agentApi.POST('/v1/inbox/ack', { body: { cursor: 'nope' } })).response.status).toBe(400);
  });

  it('answers registrations, presence, an inbox ack and webhook changes with Prefer: wait once they are applied', async () => {
    const wait = { prefer: 'wait=10' };
    const hired = await system.api('POST', '/v1/agents', {
      token: TEST_ADMIN_TOKEN,
      body: { name: 'Wendy Waits', email: 'wendy@example.com' },
      headers: wait,
    });
    expect(hired.status).toBe(201);
    expect(hired.headers.get('preference-applied')).toBe('wait=10');
    expect(hired.body).toEqual({
      id: expect.any(String),
      token: expect.any(String),
      inviteToken: expect.any(String),
      inviteExpiresAt: expect.any(String),
    });
    // Registered means usable at once: the new agent sets its presence, and the change shows.
    const online = await system.api('PUT', '/v1/agents/me/presence', {
      token: hired.body.token,
      body: { status: 'online' },
      headers: wait,
    });
    expect(online.status).toBe(200);
    expect(online.headers.get('preference-applied')).toBe('wait=10');
    expect(online.body).toEqual({ agentId: hired.body.id, status: 'online' });
    const agents = await system.api('GET', '/v1/agents?limit=200', { token: TEST_ADMIN_TOKEN });
    expect(agents.body.items.find((a: { id: string }) => a.id === hired.body.id)).toMatchObject({
      name: 'Wendy Waits',
      presence: 'online',
    });

    const signIn = () =>
      system.api('POST', '/v1/customers', {
        token: TEST_ADMIN_TOKEN,
        body: { externalId: 'crm-waits', name: 'Carl Waits' },
        headers: wait,
      });
    const registered = await signIn();
    expect(registered.status).toBe(201);
    expect(registered.headers.get('preference-applied')).toBe('wait=10');
    // The same registration again is a duplicate JetStream drops: nothing to wait for.
    const again = await signIn();
    expect(again.status).toBe(202);
    expect(again.headers.get('preference-applied')).toBeNull();
    expect(again.body.id).toBe(registered.body.id);

    // A cursor no earlier test acked: an ack's command id follows from its cursor, so acking one
    // again is a duplicate, answered 202 (as the customer's second sign-in above).
    const messageId = await post(customer, 'one more thing');
    const fresh = await waitFor('the message in the agent’s inbox', async () =>
      (await wholeInbox(system, agent)).find((e) => e.data.messageId === messageId),
    );
    const acked = await system.api('POST', '/v1/inbox/ack', {
      token: agent.token,
      body: { cursor: fresh.cursor },
      headers: wait,
    });
    expect(acked.status).toBe(200);
    expect(acked.headers.get('preference-applied')).toBe('wait=10');
    expect(acked.body).toEqual({ cursor: fresh.cursor });

    const hook = await system.api('POST', '/v1/webhooks', {
      token: TEST_ADMIN_TOKEN,
      body: { url: 'https://example.com/parley', events: ['message.created'] },
      headers: wait,
    });
    expect(hook.status).toBe(201);
    expect(hook.body).toEqual({ id: expect.any(String), secret: expect.stringMatching(/^whsec_/) });
    const listed = async () =>
      (await system.api('GET', '/v1/webhooks?limit=200', { token: TEST_ADMIN_TOKEN })).body.items.map(
        (w: { id: string }) => w.id,
      );
    expect(await listed()).toContain(hook.body.id);
    const removed = await system.api('DELETE', `/v1/webhooks/${hook.body.id}`, {
      token: TEST_ADMIN_TOKEN,
      headers: wait,
    });
    expect(removed.status).toBe(200);
    expect(removed.headers.get('preference-applied')).toBe('wait=10');
    expect(await listed()).not.toContain(hook.body.id);
  });

  it('signs webhooks per Standard Webhooks, retries with the same webhook-id, and never lets a dead endpoint slow an inbox', async () => {
    const flaky = await receiver((_, res, attempt) => {
      res.statusCode = attempt <= 3 ? 500 : 204;
      res.end();
    });
    const dead = await receiver(() => undefined);
    hooks.push(flaky, dead);
    const register = async (url: string) => {
      const { data, response } = await admin().POST('/v1/webhooks', {
        body: { url, events: ['message.created'] },
      });
      expect(response.status).toBe(202);
      return data as { id: string; secret: string };
    };
    const flakyHook = await register(flaky.url);
    const deadHook = await register(dead.url);
    await waitFor('both registered', async () => {
      const { data } = await admin().GET('/v1/webhooks');
      return data?.items.length === 2;
    });

    // Flood the dead endpoint first, then measure how fast an inbox still is.
    for (let n = 0; n < 10; n++) await post(customer, `into the void ${n}`);
    const sentAt = Date.now();
    const probe = await post(customer, 'is the inbox still fast?');
    await waitFor(
      'the probe in the agent inbox',
      async () => (await wholeInbox(system, agent)).some((e) => e.data.messageId === probe),
      10_000,
      50,
    );
    expect(Date.now() - sentAt).toBeLessThan(2_000);

    const probeDeliveries = await waitFor(
      'the flaky endpoint to get the probe on its 4th attempt',
      async () => {
        const { data } = await admin().GET('/v1/webhooks/{id}/deliveries', {
          params: { path: { id: flakyHook.id }, query: { status: 'succeeded', limit: 200 } },
        });
        return data?.items.length ? data.items : undefined;
      },
      30_000,
      250,
    );
    const firstDelivered = probeDeliveries[probeDeliveries.length - 1];
    expect(firstDelivered.attempts.map((a) => a.statusCode)).toEqual([500, 500, 500, 204]);
    const sameDelivery = flaky.requests.filter((r) => r.headers['webhook-id'] === firstDelivered.id);
    expect(sameDelivery).toHaveLength(4);
    const verifier = new Webhook(flakyHook.secret);
    for (const request of flaky.requests) {
      const payload = verifier.verify(request.body, request.headers as Record<string, string>) as {
        type: string;
      };
      expect(payload.type).toBe('message.created');
    }
    expect(() =>
      new Webhook(deadHook.secret).verify(
        flaky.requests[0].body,
        flaky.requests[0].headers as Record<string, string>,
      ),
    ).toThrow();

    // The dead endpoint's deliveries time out and are retried on schedule, then fail for good.
    const failed = await waitFor(
      'a failed delivery to the dead endpoint',
      async () => {
        const { data } = await admin().GET('/v1/webhooks/{id}/deliveries', {
          params: { path: { id: deadHook.id }, query: { status: 'failed' } },
        });
        return data?.items[0];
      },
      60_000,
      500,
    );
    expect(failed.attempts).toHaveLength(5);
    expect(failed.attempts.every((a) => a.error === 'timed out')).toBe(true);

    const retried = await admin().POST('/v1/webhooks/{id}/deliveries/{deliveryId}/retry', {
      params: { path: { id: deadHook.id, deliveryId: failed.id } },
    });
    expect(retried.response.status).toBe(202);
    await waitFor('the resend', async () => {
      const { data } = await admin().GET('/v1/webhooks/{id}/deliveries', {
        params: { path: { id: deadHook.id }, query: { limit: 200 } },
      });
      return data?.items.find((d) => d.id === failed.id && d.attempts.length === 6);
    });
    expect(dead.requests.filter((r) => r.headers['webhook-id'] === failed.id)).toHaveLength(6);

    expect(
      (await admin().DELETE('/v1/webhooks/{id}', { params: { path: { id: deadHook.id } } })).response.status,
    ).toBe(202);
    await waitFor('deleted', async () => (await admin().GET('/v1/webhooks')).data?.items.length === 1);
  }, 120_000);

  it('never calls an address outside the public internet unless its network is allowed', async () => {
    const neighbour = await receiver((_, res) => {
      res.statusCode = 204;
      res.end();
    });
    hooks.push(neighbour);
    const { port } = new URL(neighbour.url);
    const urls = [neighbour.url, `http://localhost:${port}/hook`];
    const register = (url: string) =>
      admin().POST('/v1/webhooks', { body: { url, events: ['message.created'] } });
    // Registered while loopback is allowed (this suite's delivery), then the allowance goes.
    const registered: Array<{ id: string; host: string }> = [];
    for (const url of urls) {
      const { data, response } = await register(url);
      expect(response.status).toBe(202);
      registered.push({ id: (data as { id: string }).id, host: new URL(url).hostname });
    }
    await waitFor('both registered', async () => {
      const ids = ((await admin().GET('/v1/webhooks')).data?.items ?? []).map((w) => w.id);
      return registered.every((r) => ids.includes(r.id));
    });
    expect(await system.services.delivery.stop('SIGTERM')).toBe(0);
    // As production runs it by default: PARLEY_WEBHOOK_ALLOWED_NETWORKS empty.
    const guarded = await system.startReplica('delivery', { PARLEY_WEBHOOK_ALLOWED_NETWORKS: '' });
    try {
      await post(customer, 'not for the neighbours');
      for (const { id, host } of registered) {
        const attempt = await waitFor(
          `an attempt at ${host}`,
          async () => {
            const { data } = await admin().GET('/v1/webhooks/{id}/deliveries', {
              params: { path: { id }, query: { limit: 200 } },
            });
            return data?.items.find((d) => d.attempts.length)?.attempts[0];
          },
          30_000,
          250,
        );
        expect(attempt.statusCode).toBeNull();
        expect(attempt.error).toMatch(/refused: .*127\.0\.0\.1.* is not a public address/);
      }
      expect(neighbour.requests).toHaveLength(0);
      // Registering such a URL now is refused at once, with the reason.
      for (const url of urls) {
        const { error, response } = await register(url);
        expect([url, response.status]).toEqual([url, 422]);
        expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect((error as { detail: string }).detail).toMatch(
          /^url: .*refused: .*127\.0\.0\.1.* is not a public address/,
        );
      }
    } finally {
      await guarded.stop('SIGTERM');
      await system.services.delivery.start();
    }
  });
});
