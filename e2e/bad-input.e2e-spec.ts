import { request } from 'node:http';
import { ParleySystem, TEST_ADMIN_TOKEN, waitFor } from '@parley/testing';
import {
  Actor,
  clientOf,
  conversationAs,
  newAgent,
  newCustomer,
  openConversation,
  setPresence,
} from './support/actors';

/**
 * Each endpoint's worst input: missing fields, wrong types, unknown fields, unknown ids, invalid
 * transitions, too-long bodies. Every answer is a 4xx problem, and nothing changes.
 */
describe('bad input', () => {
  let system: ParleySystem;
  let agent: Actor;
  let customer: Actor;
  let id: string;
  const unknownId = '0190aaaa-0000-7000-8000-000000000000';
  const past = new Date(Date.now() - 60_000).toISOString();
  const future = new Date(Date.now() + 3_600_000).toISOString();
  const tooLong = 'x'.repeat(10_001);

  beforeAll(async () => {
    system = await ParleySystem.start();
    agent = await newAgent(system, { capacity: 5 });
    customer = await newCustomer(system);
    await setPresence(system, agent, 'online');
    id = (await openConversation(system, customer, { body: 'original' })).id;
    await waitFor(
      'assignment',
      async () => (await conversationAs(system, agent, id)).assigneeId === agent.id,
    );
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
  });

  type Case = [string, string, 'admin' | 'agent' | 'customer', unknown, number];
  const cases = (): Case[] => [
    ['POST', '/v1/agents', 'admin', {}, 400],
    ['POST', '/v1/agents', 'admin', { name: 'x', email: 'not-an-email' }, 400],
    ['POST', '/v1/agents', 'admin', { name: 'x', email: 'x@example.com', capacity: -1 }, 400],
    ['POST', '/v1/agents', 'admin', { name: 'x', email: 'x@example.com', capacity: 1.5 }, 400],
    ['POST', '/v1/agents', 'admin', { name: 'x'.repeat(201), email: 'x@example.com' }, 400],
    ['POST', '/v1/agents', 'admin', { name: 'x', email: 'x@example.com', role: 'owner' }, 400],
    ['POST', '/v1/agents', 'admin', { name: 'x', email: 'x@example.com', teams: 'billing' }, 400],
    ['PUT', '/v1/agents/me/presence', 'agent', { status: 'busy' }, 400],
    ['PUT', '/v1/agents/me/presence', 'agent', {}, 400],
    ['POST', '/v1/customers', 'admin', {}, 400],
    ['POST', '/v1/customers', 'admin', { externalId: 42 }, 400],
    ['POST', '/v1/customers', 'admin', { externalId: 'x', plan: 'gold' }, 400],
    ['POST', '/v1/sites', 'admin', {}, 400],
    ['POST', '/v1/sites', 'admin', { name: 'Shop', allowAnonymous: 'yes' }, 400],
    ['POST', '/v1/sites', 'admin', { name: 'Shop', secret: 'mine' }, 400],
    ['POST', `/v1/sites/${unknownId}/secret/rotate`, 'admin', undefined, 404],
    ['POST', `/v1/sites/${unknownId}/anonymous-visitors`, 'admin', { allowAnonymous: true }, 404],
    ['POST', `/v1/sites/${unknownId}/anonymous-visitors`, 'admin', {}, 400],
    ['POST', `/v1/conversations/${id}/messages`, 'customer', { body: '' }, 400],
    ['POST', `/v1/conversations/${id}/messages`, 'customer', { body: tooLong }, 400],
    ['POST', `/v1/conversations/${id}/messages`, 'customer', { body: ['x'] }, 400],
    ['POST', `/v1/conversations/${id}/messages`, 'customer', { body: 'x', seq: 9 }, 400],
    ['POST', `/v1/conversations/${unknownId}/messages`, 'customer', { body: 'x' }, 404],
    ['POST', '/v1/conversations/../../etc/passwd/messages', 'customer', { body: 'x' }, 404],
    ['POST', `/v1/conversations/${'x'.repeat(65)}/messages`, 'customer', { body: 'x' }, 400],
    ['POST', `/v1/conversations/${id}/notes`, 'agent', { body: 5 }, 400],
    ['POST', `/v1/conversations/${id}/notes`, 'agent', { body: tooLong }, 400],
    ['POST', `/v1/conversations/${unknownId}/notes`, 'agent', { body: 'x' }, 404],
    ['POST', `/v1/conversations/${id}/assignment`, 'agent', {}, 400],
    ['POST', `/v1/conversations/${id}/assignment`, 'agent', { agentId: 5 }, 400],
    ['POST', `/v1/conversations/${id}/assignment`, 'agent', { agentId: 'ghost' }, 422],
    ['POST', `/v1/conversations/${unknownId}/assignment`, 'agent', { agentId: 'me' }, 404],
    ['POST', `/v1/conversations/${id}/transfer`, 'agent', {}, 400],
    ['POST', `/v1/conversations/${id}/transfer`, 'agent', { reason: 'no target' }, 400],
    ['POST', `/v1/conversations/${id}/transfer`, 'agent', { agentId: 'ghost' }, 422],
    ['POST', `/v1/conversations/${id}/transfer`, 'agent', { team: '' }, 400],
    ['POST', `/v1/conversations/${id}/transfer`, 'agent', { team: 'billing', note: tooLong }, 400],
    ['POST', `/v1/conversations/${id}/status`, 'agent', { status: 'closed' }, 400],
    ['POST', `/v1/conversations/${id}/status`, 'agent', { status: 'snoozed' }, 400],
    ['POST', `/v1/conversations/${id}/status`, 'agent', { status: 'snoozed', snoozeUntil: past }, 400],
    ['POST', `/v1/conversations/${id}/status`, 'agent', { status: 'snoozed', snoozeUntil: 'tomorrow' }, 400],
    ['POST', `/v1/conversations/${id}/status`, 'agent', { status: 'open', snoozeUntil: future }, 400],
    ['POST', `/v1/conversations/${unknownId}/status`, 'agent', { status: 'resolved' }, 404],
    ['POST', `/v1/conversations/${id}/priority`, 'agent', { priority: 'asap' }, 400],
    ['POST', `/v1/conversations/${id}/priority`, 'agent', {}, 400],
    ['POST', `/v1/conversations/${id}/read`, 'customer', { seq: 0 }, 400],
    ['POST', `/v1/conversations/${id}/read`, 'customer', { seq: '1' }, 400],
    ['POST', `/v1/conversations/${id}/read`, 'customer', { seq: 99_999 }, 422],
    ['GET', '/v1/conversations?status=closed', 'agent', undefined, 400],
    ['GET', '/v1/conversations?limit=0', 'agent', undefined, 400],
    ['GET', '/v1/conversations?limit=201', 'agent', undefined, 400],
    ['GET', '/v1/conversations?cursor=garbage', 'agent', undefined, 400],
    ['GET', '/v1/conversations?sort=asc', 'agent', undefined, 400],
    ['GET', '/v1/conversations?assignee=none', 'customer', undefined, 400],
    ['GET', `/v1/conversations/${unknownId}`, 'agent', undefined, 404],
    ['GET', '/v1/queue?limit=500', 'agent', undefined, 400],
    ['GET', '/v1/queue?cursor=%00%01', 'agent', undefined, 400],
    ['GET', '/v1/agents?cursor=zzz', 'agent', undefined, 400],
    ['GET', `/v1/customers/${'%27%20OR%201=1'}/conversations`, 'agent', undefined, 400],
  ];

  it('answers each with a 4xx problem and changes nothing', async () => {
    const before = await conversationAs(system, agent, id);
    const agentsBefore = (await clientOf(system, agent).GET('/v1/agents')).data?.items;
    const tokens = { admin: TEST_ADMIN_TOKEN, agent: agent.token, customer: customer.token };
    const wrong: string[] = [];
    for (const [method, path, who, body, expected] of cases()) {
      // Raw on purpose: these bodies and queries are what the typed client's types refuse to send.
      const res = await system.api(method, path, { token: tokens[who], body });
      const problem =
        res.headers.get('content-type')?.includes('application/problem+json') &&
        res.body?.status === res.status;
      if (res.status !== expected || !problem)
        wrong.push(`${method} ${path} ${JSON.stringify(body)?.slice(0, 60)} → ${res.status}`);
    }
    expect(wrong).toEqual([]);

    // Give anything that slipped through time to be applied, then look.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await conversationAs(system, agent, id)).toEqual(before);
    expect((await clientOf(system, agent).GET('/v1/agents')).data?.items).toEqual(agentsBefore);
    const messages = await clientOf(system, agent).GET('/v1/conversations/{id}/messages', {
      params: { path: { id } },
    });
    expect(messages.data?.items.map((m) => m.body)).toEqual(['original']);
  });

  it('answers a body that is not UTF-8 with 400 and stores nothing; a character split between chunks is whole', async () => {
    const path = `/v1/conversations/${id}/messages`;
    const post = (chunks: Buffer[]) =>
      new Promise<{ status?: number; type?: string; body: string }>((resolve, reject) => {
        const req = request(new URL(path, system.gatewayUrl), {
          method: 'POST',
          headers: {
            authorization: `Bearer ${customer.token}`,
            'content-type': 'application/json',
            'transfer-encoding': 'chunked',
          },
        });
        req.on('response', (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode, type: res.headers['content-type'], body }));
        });
        req.on('error', reject);
        const [first, ...rest] = chunks;
        // Each chunk on its own write, a moment apart, so that the gateway reads them apart too.
        req.write(first);
        const next = () => {
          const chunk = rest.shift();
          if (!chunk) return req.end();
          req.write(chunk, () => setTimeout(next, 20));
        };
        setTimeout(next, 20);
      });
    const latin1 = await post([Buffer.from('{"body":"caf\xe9 in Latin-1"}', 'latin1')]);
    const cutShort = await post([Buffer.from('{"body":"'), Buffer.from([0xe2, 0x82]), Buffer.from('"}')]);
    for (const refused of [latin1, cutShort]) {
      expect(refused.status).toBe(400);
      expect(refused.type).toContain('application/problem+json');
      expect(JSON.parse(refused.body)).toMatchObject({
        status: 400,
        detail: 'The request body is not valid UTF-8.',
      });
    }
    const euro = Buffer.from('{"body":"5 €, split"}');
    const split = euro.indexOf(0xe2) + 1;
    expect((await post([euro.subarray(0, split), euro.subarray(split)])).status).toBe(202);

    await waitFor('the split message', async () => {
      const { data } = await clientOf(system, agent).GET('/v1/conversations/{id}/messages', {
        params: { path: { id } },
      });
      return data?.items.some((m) => m.body === '5 €, split') ?? false;
    });
    const { data } = await clientOf(system, agent).GET('/v1/conversations/{id}/messages', {
      params: { path: { id } },
    });
    expect(data?.items.map((m) => m.body)).toEqual(['original', '5 €, split']);
  });
});
