import fc from 'fast-check';
import { request } from 'node:http';
import { connect } from 'node:net';
import { ParleySystem, TEST_ADMIN_TOKEN } from '@parley/testing';
import { Actor, clientOf, newAgent, newCustomer, openConversation } from './support/actors';

/**
 * Property: whatever arrives, the gateway answers with a status below 500, and every 4xx is
 * problem+json. Random and malicious bodies, ids, query strings and headers over every route.
 */
describe('hostile input', () => {
  let system: ParleySystem;
  let agent: Actor;
  let customer: Actor;
  let conversationId: string;

  beforeAll(async () => {
    system = await ParleySystem.start();
    agent = await newAgent(system);
    customer = await newCustomer(system);
    conversationId = (await openConversation(system, customer, { body: 'target' })).id;
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
  });

  const ROUTES: Array<[string, string]> = [
    ['POST', '/v1/agents'],
    ['GET', '/v1/agents'],
    ['PUT', '/v1/agents/me/presence'],
    ['POST', '/v1/customers'],
    ['GET', '/v1/customers/{id}/conversations'],
    ['POST', '/v1/conversations'],
    ['GET', '/v1/conversations'],
    ['GET', '/v1/conversations/{id}'],
    ['POST', '/v1/conversations/{id}/messages'],
    ['GET', '/v1/conversations/{id}/messages'],
    ['POST', '/v1/conversations/{id}/notes'],
    ['POST', '/v1/conversations/{id}/assignment'],
    ['POST', '/v1/conversations/{id}/transfer'],
    ['POST', '/v1/conversations/{id}/status'],
    ['POST', '/v1/conversations/{id}/priority'],
    ['POST', '/v1/conversations/{id}/read'],
    ['GET', '/v1/queue'],
    ['GET', '/v1/messages/{id}'],
    ['GET', '/v1/search'],
    ['GET', '/v1/inbox'],
    ['POST', '/v1/inbox/ack'],
    ['POST', '/v1/webhooks'],
    ['GET', '/v1/webhooks'],
    ['DELETE', '/v1/webhooks/{id}'],
    ['GET', '/v1/webhooks/{id}/deliveries'],
    ['POST', '/v1/webhooks/{id}/deliveries/{id}/retry'],
    ['GET', '/v1/admin/dead-letters'],
    ['POST', '/v1/admin/dead-letters/{id}/replay'],
    ['POST', '/v1/sites'],
    ['GET', '/v1/sites'],
    ['POST', '/v1/sites/{id}/secret/rotate'],
    ['POST', '/v1/sites/{id}/anonymous-visitors'],
    ['POST', '/v1/sites/{id}/customers/token'],
    ['PUT', '/v1/sites/{id}/settings'],
    ['GET', '/v1/sites/{id}/settings'],
    ['GET', '/v1/sites/{id}/availability'],
    ['POST', '/v1/conversations/{id}/rating'],
    ['POST', '/v1/ratings'],
    ['GET', '/v1/reports/csat'],
  ];

  const malicious = fc.constantFrom(
    "' OR 1=1 --",
    '"; DROP TABLE conversation.conversations; --',
    '{"$gt": ""}',
    '{"$where": "sleep(1000)"}',
    '../../../../etc/passwd',
    '..%2F..%2Fetc%2Fpasswd',
    '%00',
    '<script>alert(1)</script>',
    '${jndi:ldap://127.0.0.1/a}',
    '__proto__',
    'constructor',
    '\u0000\u0001\u001f',
    '😀'.repeat(40),
    'A'.repeat(5000),
    '-1',
    '1e309',
    '9'.repeat(40),
    'NaN',
    'null',
  );
  const idLike = fc.oneof(malicious, fc.string(), fc.uuid(), fc.constant('conversation'));
  const value = fc.oneof(
    malicious,
    fc.string(),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.constant(Number.MAX_SAFE_INTEGER * 1000),
    fc.constant(-1),
  );
  const body = fc.oneof(
    fc.jsonValue({ maxDepth: 4 }),
    fc.dictionary(
      fc.constantFrom(
        'body',
        'name',
        'email',
        'externalId',
        'status',
        'priority',
        'agentId',
        'seq',
        'cursor',
        'url',
        'events',
        '__proto__',
        'constructor',
        'team',
        'snoozeUntil',
      ),
      fc.oneof(value, fc.array(value, { maxLength: 3 }), fc.jsonValue({ maxDepth: 3 })),
    ),
  );
  const rawBody = fc.oneof(
    body.map((b) => JSON.stringify(b)),
    fc.constantFrom(
      '{"body": ',
      '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[',
      `${'['.repeat(20_000)}${']'.repeat(20_000)}`,
      `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`,
      '',
      'null',
      '"just a string"',
      '\uFEFF{"body":"bom"}',
    ),
    fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
  );
  const query = fc.array(
    fc.tuple(
      fc.constantFrom('limit', 'cursor', 'after', 'before', 'wait', 'status', 'q', 'assignee', 'x'),
      value.map(String),
    ),
    { maxLength: 3 },
  );

  it('never answers 5xx and always answers 4xx with problem+json', async () => {
    const tokens = () => ({ admin: TEST_ADMIN_TOKEN, agent: agent.token, customer: customer.token });
    // Raw fetch on purpose: random bytes, content types and headers the typed client would never send.
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES),
        fc.oneof(idLike, fc.constant(conversationId)),
        query,
        rawBody,
        fc.constantFrom('admin', 'agent', 'customer', 'garbage', 'none'),
        fc.constantFrom(
          'application/json',
          'text/plain',
          'application/json; charset=latin1',
          'multipart/form-data',
          'application/x-www-form-urlencoded',
        ),
        async ([method, template], id, params, payload, who, contentType) => {
          const path = template.replace(/\{id\}/g, encodeURIComponent(id));
          const search = new URLSearchParams(params).toString();
          const token = who === 'garbage' ? 'x.y.z' : who === 'none' ? undefined : tokens()[who as 'admin'];
          const res = await fetch(`${system.gatewayUrl}${path}${search ? `?${search}` : ''}`, {
            method,
            headers: {
              ...(token ? { authorization: `Bearer ${token}` } : {}),
              ...(method === 'GET' || method === 'DELETE' ? {} : { 'content-type': contentType }),
              // Any bytes an HTTP client will send in a header: UTF-8 seen as Latin-1, no control characters.
              'idempotency-key':
                Buffer.from(id)
                  .toString('latin1')
                  .split('')
                  .filter((c) => c.charCodeAt(0) > 0x1f && c.charCodeAt(0) !== 0x7f)
                  .join('')
                  .trim()
                  .slice(0, 300) || 'k',
            },
            body: method === 'GET' || method === 'DELETE' ? undefined : payload,
          }).catch((error: Error & { cause?: { code?: string } }) => ({
            status: 0,
            headers: new Headers(),
            text: async () =>
              `${error.message} (${error.cause?.code ?? String(error.cause)}); gateway running: ${system.services.gateway.running}\n` +
              system.services.gateway.recentOutput(10),
          }));
          const text = await res.text();
          if (res.status >= 500 || res.status === 0)
            throw new Error(`${method} ${path} → ${res.status}: ${text.slice(0, 3000)}`);
          if (res.status >= 400) {
            expect(res.headers.get('content-type')).toContain('application/problem+json');
            expect(JSON.parse(text)).toMatchObject({
              status: res.status,
              title: expect.any(String),
              detail: expect.any(String),
            });
          }
        },
      ),
      { numRuns: 600, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31) },
    );
  }, 180_000);

  it('answers an oversized body with 413 before reading it', async () => {
    // Only the headers are sent: the gateway must refuse a declared 2 MiB body without waiting for it.
    const url = new URL('/v1/conversations', system.gatewayUrl);
    const res = await new Promise<{ status?: number; contentType?: string }>((resolve, reject) => {
      const req = request(url, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${customer.token}`,
          'content-type': 'application/json',
          'content-length': String(2 * 1024 * 1024),
        },
      });
      req.on('response', (response) => {
        resolve({ status: response.statusCode, contentType: response.headers['content-type'] });
        req.destroy();
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    expect(res.status).toBe(413);
    expect(res.contentType).toContain('application/problem+json');
  });

  it('answers an oversized body sent in chunks, with no length declared, with 413 once it passes the limit', async () => {
    // 1.5 MiB in chunks and then the body is left unfinished: a gateway that read to the end before
    // deciding would never answer, one that stops at the limit (64 KiB) answers at once.
    const url = new URL('/v1/conversations', system.gatewayUrl);
    const chunk = Buffer.alloc(64 * 1024, ' ');
    const res = await new Promise<{ status?: number; contentType?: string }>((resolve, reject) => {
      let answered = false;
      let sent = 0;
      const req = request(url, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${customer.token}`,
          'content-type': 'application/json',
          'transfer-encoding': 'chunked',
        },
      });
      req.on('response', (response) => {
        answered = true;
        resolve({ status: response.statusCode, contentType: response.headers['content-type'] });
        req.destroy();
      });
      // Once answered, the gateway may close the socket under a chunk still being written.
      req.on('error', (error) => answered || reject(error));
      const writeMore = () => {
        if (answered || sent >= 1.5 * 1024 * 1024) return;
        sent += chunk.length;
        req.write(chunk, () => setImmediate(writeMore));
      };
      req.write('{"body":"');
      writeMore();
    });
    expect(res.status).toBe(413);
    expect(res.contentType).toContain('application/problem+json');
  }, 15_000);

  /**
   * Sends the whole body with Node's `http` client, 64 KiB at a time as a client on a slower network
   * would, and reads the answer. `error` says what went wrong while sending: EPIPE, or the gateway
   * closing the connection before the client could send all of it.
   */
  const sendWhole = (path: string, body: Buffer, token?: string) =>
    new Promise<{ status?: number; type?: string; detail?: string; error?: string }>((resolve) => {
      const req = request(new URL(path, system.gatewayUrl), {
        method: 'POST',
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          'content-type': 'application/json',
          'content-length': String(body.length),
        },
      });
      let error: string | undefined;
      let answer: { status?: number; type?: string; detail?: string } = {};
      let sent = false;
      req.on('response', (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => {
          const detail = (JSON.parse(text) as { detail?: string }).detail;
          answer = { status: res.statusCode, type: res.headers['content-type'], detail };
        });
      });
      req.on('error', (failure: NodeJS.ErrnoException) => (error = failure.code ?? failure.message));
      req.on('finish', () => (sent = true));
      req.on('close', () =>
        resolve({ ...answer, error: error ?? (sent ? undefined : 'closed before the body was sent') }),
      );
      let offset = 0;
      const writeMore = () => {
        if (req.destroyed) return;
        const chunk = body.subarray(offset, offset + 64 * 1024);
        offset += chunk.length;
        if (offset >= body.length) req.end(chunk);
        else req.write(chunk, () => setTimeout(writeMore, 10));
      };
      writeMore();
    });
  const nested = (bytes: number) =>
    Buffer.from(`${'['.repeat(bytes / 2)}${']'.repeat(bytes / 2)}`.padEnd(bytes, ' '));

  it("answers a body one byte over the limit (64 KiB), and one of 2 MB, with 413, which Node's http client reads once it has sent the whole body", async () => {
    for (const size of [64 * 1024 + 1, 2 * 1000 * 1000]) {
      const body = Buffer.from(`{"body":"${'x'.repeat(size - 11)}"}`);
      expect(body.length).toBe(size);
      expect(await sendWhole('/v1/conversations', body, customer.token)).toEqual({
        status: 413,
        type: expect.stringContaining('application/problem+json'),
        detail: expect.any(String),
        error: undefined,
      });
    }
    // The limit itself is accepted (and then refused for what it says, not for its size).
    const atLimit = Buffer.from(`{"body":"${'x'.repeat(64 * 1024 - 11)}"}`);
    expect((await sendWhole('/v1/conversations', atLimit, customer.token)).status).toBe(400);
  });

  it('refuses a body to a guarded route with 401 before reading it when the token is bad or absent', async () => {
    // Read, 1 MiB of nested arrays would be refused as too large (413); parsed, as too deep (400).
    // A 401 says that neither happened: the caller was refused before a byte of the body was read.
    for (const token of ['x.y.z', undefined]) {
      expect(await sendWhole('/v1/conversations', nested(1024 * 1024), token)).toEqual({
        status: 401,
        type: expect.stringContaining('application/problem+json'),
        detail: 'A valid bearer token is required.',
        error: undefined,
      });
      expect((await sendWhole('/v1/conversations', Buffer.from('{"body": '), token)).status).toBe(401);
    }
    // A public route stays public, body or not.
    const publicStatus = await new Promise<number | undefined>((resolve, reject) => {
      const body = '{"probe": true}';
      request(new URL('/docs/openapi.json', system.gatewayUrl), {
        headers: { 'content-type': 'application/json', 'content-length': String(body.length) },
      })
        .on('response', (res) => {
          res.resume();
          resolve(res.statusCode);
        })
        .on('error', reject)
        .end(body);
    });
    expect(publicStatus).toBe(200);
    // With a valid token, the same bodies are read.
    expect((await sendWhole('/v1/conversations', nested(1024 * 1024), customer.token)).status).toBe(413);
    expect((await sendWhole('/v1/conversations', nested(1024), customer.token)).status).toBe(400);
  });

  it('drains a body it did not read only so far, then closes the connection', async () => {
    // Declared 1 GiB and sent without end: after answering, the gateway reads at most 4 MiB more.
    const { hostname, port } = new URL(system.gatewayUrl);
    const outcome = await new Promise<{ answer: string; sent: number }>((resolve) => {
      const socket = connect(Number(port), hostname);
      const chunk = Buffer.alloc(256 * 1024, ' ');
      let answer = '';
      let sent = 0;
      socket.on('data', (data) => (answer += data.toString()));
      socket.on('error', () => undefined);
      socket.on('close', () => resolve({ answer, sent }));
      const writeMore = () => {
        if (socket.destroyed || sent > 256 * 1024 * 1024) return socket.destroy();
        sent += chunk.length;
        socket.write(chunk, () => setImmediate(writeMore));
      };
      socket.write(
        `POST /v1/conversations HTTP/1.1\r\nhost: ${hostname}\r\nauthorization: Bearer ${customer.token}\r\n` +
          `content-type: application/json\r\ncontent-length: ${1024 ** 3}\r\n\r\n`,
        writeMore,
      );
    });
    expect(outcome.answer).toMatch(/^HTTP\/1.1 413 /);
    expect(outcome.sent).toBeLessThan(256 * 1024 * 1024);
  }, 30_000);

  it('sends no upgrade-insecure-requests and no inline scripts in its Content-Security-Policy', async () => {
    for (const page of ['/console/', '/widget/', '/docs', '/v1/inbox']) {
      const csp = (await fetch(`${system.gatewayUrl}${page}`)).headers.get('content-security-policy');
      expect({ page, csp }).toEqual({ page, csp: expect.stringContaining("script-src 'self';") });
      expect({ page, csp }).toEqual({ page, csp: expect.not.stringContaining('upgrade-insecure-requests') });
    }
  });

  it('sends security headers', async () => {
    const { response: res } = await clientOf(system, customer).GET('/v1/inbox');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('strict-transport-security')).toContain('max-age=');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
  });

  it('lets other sites frame the customer widget, and only the widget', async () => {
    const widget = await fetch(`${system.gatewayUrl}/widget/`);
    expect(widget.status).toBe(200);
    expect(widget.headers.get('x-frame-options')).toBeNull();
    expect(widget.headers.get('content-security-policy')).toContain('frame-ancestors *');

    const console = await fetch(`${system.gatewayUrl}/console/`);
    expect(console.status).toBe(200);
    expect(console.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(console.headers.get('content-security-policy')).toContain("frame-ancestors 'self'");
  });
});

describe('rate limiting', () => {
  let system: ParleySystem;

  beforeAll(async () => {
    // This test's own connections from 127.0.0.1 stand for the ingress; from 127.0.0.5, for a client
    // that reaches the gateway directly.
    system = await ParleySystem.start({
      PARLEY_RATE_LIMIT_PER_MINUTE: '20',
      PARLEY_TRUSTED_PROXIES: '127.0.0.1',
    });
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
  });

  it('answers 429 with Retry-After per token, and per IP without one', async () => {
    const customer = clientOf(system, await newCustomer(system));
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push((await customer.GET('/v1/inbox')).response.status);
    expect(statuses.slice(0, 19).every((s) => s === 200)).toBe(true);
    const { response: limited } = await customer.GET('/v1/inbox');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.headers.get('content-type')).toContain('application/problem+json');
    // Another token has its own budget; health checks are never limited.
    const other = await clientOf(system, TEST_ADMIN_TOKEN).GET('/v1/conversations');
    expect(other.response.status).not.toBe(429);
    for (let i = 0; i < 30; i++) expect((await fetch(`${system.gatewayUrl}/health/ready`)).status).toBe(200);
    const anonymous: number[] = [];
    for (let i = 0; i < 22; i++) anonymous.push((await clientOf(system).GET('/v1/inbox')).response.status);
    expect(anonymous).toContain(429);
  });

  /** Status of an anonymous request sent from `from` with this X-Forwarded-For. */
  const anonymousFrom = (from: string, forwardedFor: string) =>
    new Promise<number>((resolve, reject) => {
      const { hostname, port } = new URL(system.gatewayUrl);
      request({
        host: hostname,
        port,
        path: '/v1/inbox',
        localAddress: from,
        headers: { 'x-forwarded-for': forwardedFor },
      })
        .on('response', (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
        .on('error', reject)
        .end();
    });
  const statusesOf = async (n: number, from: string, forwardedFor: string) => {
    const statuses: number[] = [];
    for (let i = 0; i < n; i++) statuses.push(await anonymousFrom(from, forwardedFor));
    return statuses;
  };

  it('limits clients behind a trusted proxy by their own address, which a forged X-Forwarded-For entry cannot change', async () => {
    const spent = await statusesOf(21, '127.0.0.1', '203.0.113.1');
    expect(spent.slice(0, 20)).not.toContain(429);
    expect(spent[20]).toBe(429);
    // The client wrote its own X-Forwarded-For and the proxy appended the address it saw.
    expect(await anonymousFrom('127.0.0.1', '198.51.100.7, 203.0.113.1')).toBe(429);
    expect(await anonymousFrom('127.0.0.1', '203.0.113.2')).not.toBe(429);
  });

  it('ignores X-Forwarded-For from a client that is not a trusted proxy', async () => {
    const spent = await statusesOf(21, '127.0.0.5', '203.0.113.3');
    expect(spent.slice(0, 20)).not.toContain(429);
    expect(spent[20]).toBe(429);
    expect(await anonymousFrom('127.0.0.5', '203.0.113.4')).toBe(429);
  });
});
