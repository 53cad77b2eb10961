/**
 * Limits that hold against a client spreading its requests: over two gateway processes, with a new
 * bearer per request, or with writes crowding out reads; and caps on what a principal holds open.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { callApi, ParleySystem } from '@parley/testing';
import { Actor, newCustomer } from './support/actors';

const READS = 20;
const WRITES = 10;
const LIVE_PER_PRINCIPAL = 2;
/** The second gateway's cap on streams and long polls in all. */
const LIVE_ON_SECOND = 3;

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('rate limits and live caps, with two gateway processes', () => {
  let system: ParleySystem;
  let gateways: string[];
  /** One each, so that each test spends budgets of its own. */
  let customers: Actor[];
  const streams: AbortController[] = [];

  beforeAll(async () => {
    system = await ParleySystem.start({
      PARLEY_RATE_LIMIT_READS_PER_MINUTE: String(READS),
      PARLEY_RATE_LIMIT_WRITES_PER_MINUTE: String(WRITES),
      PARLEY_LIVE_INBOX_PER_PRINCIPAL: String(LIVE_PER_PRINCIPAL),
    });
    const second = await system.startReplica('gateway', {
      PARLEY_LIVE_INBOX_PER_PROCESS: String(LIVE_ON_SECOND),
    });
    gateways = [system.gatewayUrl, second.url];
    // The admin's writes: fewer than its budget.
    customers = [];
    for (let i = 0; i < 6; i++) customers.push(await newCustomer(system));
  }, 180_000);

  afterAll(async () => {
    for (const stream of streams) stream.abort();
    await system?.stop();
  });

  /** Statuses of `n` requests, sent one after another to each gateway in turn, as a load balancer would. */
  async function alternating(
    n: number,
    method: string,
    path: string,
    options: (i: number) => { token?: string; body?: unknown },
  ): Promise<number[]> {
    const statuses: number[] = [];
    for (let i = 0; i < n; i++)
      statuses.push((await callApi(gateways[i % 2], method, path, options(i))).status);
    return statuses;
  }

  /** Opens the inbox's event stream on a gateway and answers once its status is known. */
  async function openStream(gateway: string, who: Actor): Promise<Response> {
    const controller = new AbortController();
    streams.push(controller);
    return fetch(`${gateway}/v1/inbox/stream`, {
      headers: { authorization: `Bearer ${who.token}` },
      signal: controller.signal,
    });
  }

  it('limits a new random bearer on every request by the client address, as one budget across both gateways', async () => {
    const customer = customers[0];
    // Random strings, and tokens that claim to be a real customer without its signature.
    const forged = (i: number) =>
      i % 2
        ? randomUUID()
        : `${base64url({ alg: 'HS256', typ: 'JWT' })}.${base64url({ sub: customer.id, role: 'customer', exp: Math.floor(Date.now() / 1000) + 600 })}.${randomBytes(32).toString('base64url')}`;
    const statuses = await alternating(READS + 2, 'GET', '/v1/inbox', (i) => ({ token: forged(i) }));
    expect(statuses.slice(0, READS)).toEqual(Array(READS).fill(401));
    expect(statuses.slice(READS)).toEqual([429, 429]);
    const anonymous = await callApi(gateways[0], 'GET', '/v1/inbox');
    expect(anonymous.status).toBe(429);
    // The customer the forged tokens named keeps the budget of its own, verified principal.
    expect((await callApi(gateways[1], 'GET', '/v1/inbox', { token: customer.token })).status).toBe(200);
  });

  it('shares one budget between both gateways: requests alternated across them are limited at the limit, not twice it', async () => {
    const customer = customers[1];
    const statuses = await alternating(READS + 2, 'GET', '/v1/inbox', () => ({ token: customer.token }));
    expect(statuses.slice(0, READS)).toEqual(Array(READS).fill(200));
    expect(statuses.slice(READS)).toEqual([429, 429]);
    const limited = await callApi(gateways[0], 'GET', '/v1/inbox', { token: customer.token });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.body.detail).toContain(`at most ${READS} a minute`);
  });

  it('lets reads pass while writes are limited', async () => {
    const customer = customers[2];
    const writes = await alternating(WRITES + 2, 'POST', '/v1/conversations', (i) => ({
      token: customer.token,
      body: { body: `write ${i}` },
    }));
    expect(writes.slice(0, WRITES)).toEqual(Array(WRITES).fill(202));
    expect(writes.slice(WRITES)).toEqual([429, 429]);
    const refused = await callApi(gateways[1], 'POST', '/v1/conversations', {
      token: customer.token,
      body: { body: 'one more' },
    });
    expect(refused.body.detail).toContain(`Too many writes: at most ${WRITES} a minute`);
    for (const gateway of gateways)
      expect((await callApi(gateway, 'GET', '/v1/conversations', { token: customer.token })).status).toBe(
        200,
      );
  });

  it('answers 429 with Retry-After past the streams and long polls one principal may hold open', async () => {
    const customer = customers[3];
    for (let i = 0; i < LIVE_PER_PRINCIPAL; i++)
      expect((await openStream(gateways[0], customer)).status).toBe(200);
    const stream = await openStream(gateways[0], customer);
    expect(stream.status).toBe(429);
    expect(stream.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(stream.headers.get('retry-after'))).toBeGreaterThan(0);
    const longPoll = await callApi(gateways[0], 'GET', '/v1/inbox?wait=5', { token: customer.token });
    expect(longPoll.status).toBe(429);
    expect(Number(longPoll.headers.get('retry-after'))).toBeGreaterThan(0);
    // A read that does not wait holds nothing open, so it still passes.
    expect((await callApi(gateways[0], 'GET', '/v1/inbox', { token: customer.token })).status).toBe(200);
  });

  it('answers 429 with Retry-After past the streams and long polls one process holds open in all', async () => {
    const [first, second] = customers.slice(4);
    for (let i = 0; i < LIVE_PER_PRINCIPAL; i++)
      expect((await openStream(gateways[1], first)).status).toBe(200);
    expect((await openStream(gateways[1], second)).status).toBe(200);
    const past = await openStream(gateways[1], second);
    expect(past.status).toBe(429);
    expect(Number(past.headers.get('retry-after'))).toBeGreaterThan(0);
    // The other process holds its own.
    expect((await openStream(gateways[0], second)).status).toBe(200);
  });
});
