import { callApi, ParleySystem, ServiceProcess, TEST_ADMIN_TOKEN, waitFor } from '@parley/testing';
import { newCustomer, openConversation, setPresence } from './support/actors';

const PASSWORD = 'correct horse battery staple';
const WITHIN_MS = 2_000;

/** An open `/v1/inbox/stream` that resolves `ended` with the time its body ended. */
async function openStream(gateway: string, token: string): Promise<{ ended: Promise<number> }> {
  const res = await fetch(`${gateway}/v1/inbox/stream`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  if (!res.body) throw new Error('the stream has no body');
  const reader = res.body.getReader();
  const ended = (async () => {
    while (!(await reader.read()).done);
    return Date.now();
  })();
  return { ended };
}

/**
 * Two gateway processes. Deactivating an agent revokes every token of theirs on both within 2 s,
 * ends their live streams, and puts their conversations back in the queue; resetting a password
 * revokes every token too.
 */
describe('agent revocation', () => {
  let system: ParleySystem;
  let gateways: string[];

  beforeAll(async () => {
    system = await ParleySystem.start();
    const second: ServiceProcess = await system.startReplica('gateway');
    gateways = [system.gatewayUrl, second.url];
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
  });

  it('deactivating an agent closes their streams and answers 401 to their tokens within 2 s on both gateways', async () => {
    const invited = await system.api('POST', '/v1/agents', {
      token: TEST_ADMIN_TOKEN,
      body: { name: 'Fired Fred', email: 'fred@example.com' },
      headers: { prefer: 'wait=10' },
    });
    expect(invited.status).toBe(201);
    const agentId: string = invited.body.id;
    const set = await system.api('POST', '/v1/invites/accept', {
      body: { token: invited.body.inviteToken, password: PASSWORD },
    });
    expect(set.status).toBe(200);
    // A session on each gateway, as two devices would have.
    const tokens: string[] = [];
    for (const gateway of gateways) {
      const session = await callApi(gateway, 'POST', '/v1/sessions', {
        body: { email: 'fred@example.com', password: PASSWORD },
      });
      expect(session.status).toBe(201);
      tokens.push(session.body.token);
    }
    const fred = { id: agentId, token: tokens[0] };
    await setPresence(system, fred, 'online');
    const customer = await newCustomer(system);
    const { id: conversationId } = await openConversation(system, customer, { body: 'Help!' });
    const conversation = () =>
      system.api('GET', `/v1/conversations/${conversationId}`, { token: customer.token });
    await waitFor(
      'the conversation assigned to Fred',
      async () => (await conversation()).body.assigneeId === agentId,
    );
    const streams = await Promise.all(gateways.map((gateway, i) => openStream(gateway, tokens[i])));
    for (const [i, gateway] of gateways.entries())
      expect((await callApi(gateway, 'GET', '/v1/agents', { token: tokens[i] })).status).toBe(200);

    const start = Date.now();
    const deactivated = await system.api('POST', `/v1/agents/${agentId}/deactivation`, {
      token: TEST_ADMIN_TOKEN,
      headers: { prefer: 'wait=10' },
    });
    expect([deactivated.status, deactivated.body]).toEqual([200, { agentId, active: false }]);

    const refusedAt = await Promise.all(
      gateways.flatMap((gateway) =>
        tokens.map(async (token) => {
          await waitFor(
            'the token refused',
            async () => (await callApi(gateway, 'GET', '/v1/agents', { token })).status === 401,
            WITHIN_MS,
            25,
          );
          return Date.now();
        }),
      ),
    );
    const endedAt = await Promise.all(streams.map((s) => s.ended));
    for (const at of [...refusedAt, ...endedAt]) expect(at - start).toBeLessThanOrEqual(WITHIN_MS);

    const signIn = await system.api('POST', '/v1/sessions', {
      body: { email: 'fred@example.com', password: PASSWORD },
    });
    expect(signIn.status).toBe(401);
    expect((await conversation()).body.assigneeId).toBeNull();
    const agents = await system.api('GET', '/v1/agents', { token: TEST_ADMIN_TOKEN });
    expect(agents.body.items).toContainEqual(
      expect.objectContaining({ id: agentId, active: false, presence: 'offline' }),
    );
  });

  it('resetting a password answers 401 to every token of the agent within 2 s on both gateways; the new invite sets a new one', async () => {
    const invited = await system.api('POST', '/v1/agents', {
      token: TEST_ADMIN_TOKEN,
      body: { name: 'Forgetful Fay', email: 'fay@example.com' },
      headers: { prefer: 'wait=10' },
    });
    const agentId: string = invited.body.id;
    expect(
      (
        await system.api('POST', '/v1/invites/accept', {
          body: { token: invited.body.inviteToken, password: PASSWORD },
        })
      ).status,
    ).toBe(200);
    const signIn = (gateway: string, password: string) =>
      callApi(gateway, 'POST', '/v1/sessions', { body: { email: 'fay@example.com', password } });
    const tokens = await Promise.all(
      gateways.map(async (gateway) => (await signIn(gateway, PASSWORD)).body.token as string),
    );

    const start = Date.now();
    const reset = await system.api('POST', `/v1/agents/${agentId}/password-reset`, {
      token: TEST_ADMIN_TOKEN,
      headers: { prefer: 'wait=10' },
    });
    expect(reset.status).toBe(200);
    expect(reset.body).toMatchObject({ agentId, inviteToken: expect.any(String) });
    await Promise.all(
      gateways.flatMap((gateway) =>
        tokens.map((token) =>
          waitFor(
            'the token refused',
            async () => (await callApi(gateway, 'GET', '/v1/agents', { token })).status === 401,
            WITHIN_MS,
            25,
          ),
        ),
      ),
    );
    expect(Date.now() - start).toBeLessThanOrEqual(WITHIN_MS);

    expect((await signIn(gateways[1], PASSWORD)).status).toBe(401);
    const newPassword = 'a brand new passphrase';
    expect(
      (
        await system.api('POST', '/v1/invites/accept', {
          body: { token: reset.body.inviteToken, password: newPassword },
        })
      ).status,
    ).toBe(200);
    const again = await signIn(gateways[1], newPassword);
    expect(again.status).toBe(201);
    expect((await callApi(gateways[0], 'GET', '/v1/agents', { token: again.body.token })).status).toBe(200);
  });

  it('answers 404 for an agent that does not exist', async () => {
    for (const action of ['deactivation', 'password-reset']) {
      const res = await system.api('POST', `/v1/agents/nobody/${action}`, {
        token: TEST_ADMIN_TOKEN,
        headers: { prefer: 'wait=10' },
      });
      expect([action, res.status]).toEqual([action, 404]);
    }
  });
});
