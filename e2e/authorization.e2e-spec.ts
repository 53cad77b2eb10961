import { createHmac } from 'node:crypto';
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from '@parley/contracts';
import { ParleySystem, TEST_ADMIN_TOKEN, TEST_JWT_SECRET, waitFor } from '@parley/testing';
import { Actor, clientOf, newAgent, newCustomer, openConversation } from './support/actors';

function signed(claims: object, alg: 'HS256' | 'HS512' = 'HS256'): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const unsigned = `${part({ alg, typ: 'JWT' })}.${part(claims)}`;
  const hmac = createHmac(alg === 'HS256' ? 'sha256' : 'sha512', TEST_JWT_SECRET);
  return `${unsigned}.${hmac.update(unsigned).digest('base64url')}`;
}

type Who = 'admin' | 'agent' | 'owner' | 'other' | 'none' | 'bad';
const WHO: Who[] = ['admin', 'agent', 'owner', 'other', 'none', 'bad'];

/**
 * Every endpoint of the conversation workflow against every kind of caller. A customer never
 * learns that another customer's conversation exists: those answers are 404, never 403.
 */
describe('authorization', () => {
  let system: ParleySystem;
  let agent: Actor;
  let owner: Actor;
  let other: Actor;
  let conversationId: string;
  const tokens = {} as Record<Who, string | undefined>;

  beforeAll(async () => {
    system = await ParleySystem.start();
    agent = await newAgent(system);
    owner = await newCustomer(system);
    other = await newCustomer(system);
    conversationId = (await openConversation(system, owner, { body: 'mine' })).id;
    await waitFor('the conversation in history', async () => {
      const res = await clientOf(system, owner).GET('/v1/conversations/{id}/messages', {
        params: { path: { id: conversationId } },
      });
      return res.response.status === 200;
    });
    Object.assign(tokens, {
      admin: TEST_ADMIN_TOKEN,
      agent: agent.token,
      owner: owner.token,
      other: other.token,
      none: undefined,
      bad: `${agent.token.slice(0, -4)}AAAA`,
    });
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
  });

  // [method, path, body, expected status for admin, agent, owner, other, none, bad]
  const table: Array<[string, string, unknown, number[]]> = [
    ['POST', '/v1/agents', { name: 'New', email: 'new@example.com' }, [202, 403, 403, 403, 401, 401]],
    ['GET', '/v1/agents', undefined, [200, 200, 403, 403, 401, 401]],
    ['PUT', '/v1/agents/me/presence', { status: 'online' }, [403, 202, 403, 403, 401, 401]],
    ['POST', '/v1/customers', { externalId: 'crm-authz' }, [202, 403, 403, 403, 401, 401]],
    ['GET', '/v1/customers/{owner}/conversations', undefined, [403, 200, 403, 403, 401, 401]],
    ['POST', '/v1/conversations', { body: 'hello' }, [403, 403, 202, 202, 401, 401]],
    ['GET', '/v1/conversations', undefined, [403, 200, 200, 200, 401, 401]],
    ['GET', '/v1/conversations/{id}', undefined, [403, 200, 200, 404, 401, 401]],
    ['POST', '/v1/conversations/{id}/messages', { body: 'hi' }, [403, 202, 202, 404, 401, 401]],
    ['GET', '/v1/conversations/{id}/messages', undefined, [403, 200, 200, 404, 401, 401]],
    ['POST', '/v1/conversations/{id}/notes', { body: 'private' }, [403, 202, 403, 403, 401, 401]],
    ['POST', '/v1/conversations/{id}/assignment', { agentId: 'me' }, [403, 202, 403, 403, 401, 401]],
    ['POST', '/v1/conversations/{id}/transfer', { team: 'billing' }, [403, 202, 403, 403, 401, 401]],
    ['POST', '/v1/conversations/{id}/status', { status: 'pending' }, [403, 202, 403, 403, 401, 401]],
    ['POST', '/v1/conversations/{id}/priority', { priority: 'high' }, [403, 202, 403, 403, 401, 401]],
    ['POST', '/v1/conversations/{id}/read', { seq: 1 }, [403, 202, 202, 404, 401, 401]],
    ['GET', '/v1/queue', undefined, [403, 200, 403, 403, 401, 401]],
    ['GET', '/v1/inbox', undefined, [403, 200, 200, 200, 401, 401]],
  ];

  // Raw requests on purpose: every role and forged or missing tokens against every route, one table.
  it.each(table)('%s %s', async (method, template, body, expected) => {
    const path = template.replace('{id}', conversationId).replace('{owner}', owner.id);
    const got: number[] = [];
    for (const who of WHO) {
      const res = await system.api(method, path, { token: tokens[who], body });
      got.push(res.status);
      if (res.status >= 400) expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    expect(Object.fromEntries(WHO.map((w, i) => [w, got[i]]))).toEqual(
      Object.fromEntries(WHO.map((w, i) => [w, expected[i]])),
    );
  });

  it('answers another customer exactly as for a conversation that does not exist', async () => {
    const unknown = '0190aaaa-0000-7000-8000-000000000000';
    // Raw on purpose: the same request byte for byte, for another's conversation and a missing one.
    for (const [method, suffix, body] of [
      ['GET', '', undefined],
      ['GET', '/messages', undefined],
      ['POST', '/messages', { body: 'x' }],
      ['POST', '/read', { seq: 1 }],
    ] as const) {
      const theirs = await system.api(method, `/v1/conversations/${conversationId}${suffix}`, {
        token: other.token,
        body,
      });
      const missing = await system.api(method, `/v1/conversations/${unknown}${suffix}`, {
        token: other.token,
        body,
      });
      expect([theirs.status, missing.status]).toEqual([404, 404]);
      expect(theirs.body.title).toBe(missing.body.title);
      expect(theirs.body.detail.replace(conversationId, 'ID')).toBe(
        missing.body.detail.replace(unknown, 'ID'),
      );
    }
  });

  it('rejects an expired, tampered, differently signed or foreign token, and one without exp, aud or iss', async () => {
    const [header, payload] = agent.token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url');
    const tampered = `${header}.${forged}.${agent.token.split('.')[2]}`;
    // Raw on purpose: forged, expired and malformed credentials.
    expect((await system.api('GET', '/v1/agents', { token: tampered })).status).toBe(401);
    const now = Math.floor(Date.now() / 1000);
    const issued = { iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE, ver: 0 };
    const fresh = signed({ sub: agent.id, role: 'agent', iat: now, exp: now + 60, ...issued });
    expect((await system.api('GET', '/v1/agents', { token: fresh })).status).toBe(200);
    for (const claim of ['exp', 'aud', 'iss']) {
      const without = Object.fromEntries(
        Object.entries({ sub: agent.id, role: 'agent', iat: now, exp: now + 60, ...issued }).filter(
          ([name]) => name !== claim,
        ),
      );
      expect([claim, (await system.api('GET', '/v1/agents', { token: signed(without) })).status]).toEqual([
        claim,
        401,
      ]);
    }
    const foreign = signed({
      sub: agent.id,
      role: 'agent',
      iat: now,
      exp: now + 60,
      ...issued,
      aud: 'other',
    });
    expect((await system.api('GET', '/v1/agents', { token: foreign })).status).toBe(401);
    const expired = signed({ sub: agent.id, role: 'agent', iat: now - 3600, exp: now - 120, ...issued });
    expect((await system.api('GET', '/v1/agents', { token: expired })).status).toBe(401);
    // Only the algorithm the gateway issues, even when the signature with the secret is right.
    const otherAlgorithm = signed(
      { sub: agent.id, role: 'agent', iat: now, exp: now + 60, ...issued },
      'HS512',
    );
    expect((await system.api('GET', '/v1/agents', { token: otherAlgorithm })).status).toBe(401);
    expect((await system.api('GET', '/v1/agents', { headers: { authorization: agent.token } })).status).toBe(
      401,
    );
    expect(
      (await system.api('GET', '/v1/agents', { headers: { authorization: `Basic ${agent.token}` } })).status,
    ).toBe(401);
  });
});
