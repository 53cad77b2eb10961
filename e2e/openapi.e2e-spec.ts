import { execFileSync } from 'node:child_process';
import { createServer, IncomingHttpHeaders } from 'node:http';
import { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import type { RequestBody } from '@parley/client';
import { DELIVERED_EVENT_TYPES } from '@parley/contracts';
import { ParleySystem, TEST_ADMIN_TOKEN, waitFor } from '@parley/testing';
import { clientOf, newAgent, newCustomer, openConversation, setPresence } from './support/actors';
import {
  documentedOperations,
  exampleProblems,
  parameterExampleProblems,
  examplesByName,
  fetchDocument,
  HTTP_METHODS,
  OpenApiDocument,
  schemaProblems,
} from './support/openapi-conformance';

const ROOT = resolve(__dirname, '..');
const SOME_ID = '0192f7a0-1c2d-7e3f-8a9b-0c1d2e3f4a5b';
const bin = (name: string) => join(ROOT, 'node_modules/.bin', name);

/** The TypeScript example of the README's "The API from code", as an integrator would copy it. */
function readmeExample(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## The API from code\n'));
  const example = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  if (!example) throw new Error('README.md has no ```ts block under "The API from code"');
  return example;
}

/** A folder under the repository's tmp/, so that what is compiled there resolves its node_modules. */
function scratch(prefix: string): string {
  mkdirSync(join(ROOT, 'tmp'), { recursive: true });
  return mkdtempSync(join(ROOT, 'tmp', prefix));
}

/**
 * The document at /docs/openapi.json is what clients are generated from, so it must describe the
 * gateway as it runs: every route and nothing else, each one reachable, and the committed client
 * types (libs/client/src/schema.d.ts) regenerated from it must not change.
 */

/**
 * The routes that give credentials rather than take a bearer token, or take others (a provider's
 * webhook, HTTP Basic): what each takes, and what it answers to a request with no credentials and
 * no body (the Postmark webhook is off in this system: no PARLEY_MAIL_INBOUND_WEBHOOK_SECRET).
 */
const SIGN_IN: Record<string, { credentials: string; unauthenticated: string }> = {
  'post /v1/invites/accept': {
    credentials: 'none',
    unauthenticated: '400 application/problem+json false []',
  },
  'post /v1/sessions': { credentials: 'none', unauthenticated: '400 application/problem+json true []' },
  'post /v1/sessions/refresh': {
    credentials: 'cookie',
    unauthenticated: '401 application/problem+json true []',
  },
  'delete /v1/sessions/current': { credentials: 'cookie', unauthenticated: '204  false []' },
  // An email's rating link carries its own token; the widget asks before its visitor signs in.
  'post /v1/ratings': { credentials: 'none', unauthenticated: '400 application/problem+json true []' },
  'get /v1/sites/{id}/availability': {
    credentials: 'none',
    unauthenticated: '404 application/problem+json true []',
  },
  // The signed link is the capability, so that an <img> shows the attachment without a bearer.
  'get /v1/attachments/{id}': {
    credentials: 'none',
    unauthenticated: '400 application/problem+json true []',
  },
  'post /v1/mail/inbound/postmark': {
    credentials: 'basic',
    unauthenticated: '404 application/problem+json true []',
  },
  // An email's unsubscribe link: its signed token is the credential.
  'get /v1/mail/unsubscribe': {
    credentials: 'none',
    unauthenticated: '400 application/problem+json false []',
  },
  'post /v1/mail/unsubscribe': {
    credentials: 'none',
    unauthenticated: '400 application/problem+json false []',
  },
  // An export's signed link is the capability, so that the widget saves the archive with a plain link.
  'get /v1/exports/{id}/archive': {
    credentials: 'none',
    unauthenticated: '400 application/problem+json true []',
  },
};
describe('the OpenAPI document served by the gateway', () => {
  let system: ParleySystem;
  let document: OpenApiDocument;

  beforeAll(async () => {
    // Webhooks are received on this machine.
    system = await ParleySystem.start({ PARLEY_WEBHOOK_ALLOWED_NETWORKS: '127.0.0.0/8' });
    document = await fetchDocument(system.gatewayUrl);
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
  });

  it('documents every route the gateway registered, and no route it did not', async () => {
    const res = await fetch(`${system.gatewayUrl}/docs/routes.json`);
    expect(res.status).toBe(200);
    const { routes } = (await res.json()) as { routes: Array<{ method: string; url: string }> };
    // Fastify writes path parameters as `:id`, OpenAPI as `{id}`.
    const registered = routes.map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`).sort();
    expect(registered).toContain('POST /v1/conversations');
    expect(registered).toContain('GET /v1/conversations/{id}/messages');
    expect(registered.filter((r) => !/^[A-Z]+ \/v1\//.test(r))).toEqual([]);
    expect(documentedOperations(document)).toEqual(registered);
  });

  it('names each operation uniquely, summarises it, and asks for a bearer token, or says what it takes instead', () => {
    const operations = Object.entries(document.paths).flatMap(([path, item]) =>
      HTTP_METHODS.filter((m) => item[m]).map((m) => ({ what: `${m} ${path}`, ...item[m] })),
    );
    const ids = operations.map((o) => o.operationId);
    expect(ids.filter((id) => !id || !/^[a-z][A-Za-z]+$/.test(id))).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(operations.filter((o) => !o.summary).map((o) => o.what)).toEqual([]);
    const credentials = (o: (typeof operations)[number]) =>
      o.security?.length === 0
        ? 'none'
        : o.security?.some((s) => 'bearer' in s)
          ? 'bearer'
          : o.security?.map(Object.keys).join();
    expect(
      operations.filter((o) => credentials(o) !== 'bearer').map((o) => [o.what, credentials(o)]),
    ).toEqual(Object.entries(SIGN_IN).map(([what, { credentials }]) => [what, credentials]));
    // Only the POSTs that read it document Idempotency-Key, and it is never required.
    const keyed = operations.filter((o) => o.parameters?.some((p) => /^idempotency-key$/i.test(p.name)));
    expect(keyed.filter((o) => !o.what.startsWith('post ')).map((o) => o.what)).toEqual([]);
    expect(keyed.flatMap((o) => o.parameters ?? []).filter((p) => p.in === 'header' && p.required)).toEqual(
      [],
    );
  });

  it('shows an example on every schema property, each valid against its own schema', () => {
    // A property that is a $ref (or an array of them) is covered by the schema it refers to.
    expect(exampleProblems(document)).toEqual([]);
  });

  it('shows an example on every parameter (path, query, header), each valid against its schema', () => {
    expect(parameterExampleProblems(document)).toEqual([]);
  });

  it('tells one story in its examples: the same conversation, people, message and webhook everywhere', () => {
    const byName = examplesByName(document);
    for (const name of ['conversationId', 'customerId', 'authorId', 'webhookId', 'eventId']) {
      expect([name, byName[name]]).toEqual([name, [expect.any(String)]]);
    }
    const example = (schema: string, property: string): unknown =>
      (document.components.schemas[schema] as { properties: Record<string, { example?: unknown }> })
        .properties[property].example;
    expect(example('ConversationItem', 'id')).toBe(byName.conversationId[0]);
    expect(example('ConversationItem', 'assigneeId')).toBe(example('AgentItem', 'id'));
    expect(example('MessageItem', 'authorId')).toBe(example('AgentItem', 'id'));
    expect(example('WebhookDoc', 'id')).toBe(byName.webhookId[0]);
    expect(example('MessageCreatedEvent', 'id')).toBe(byName.eventId[0]);
    expect(example('StoredMessageData', 'messageId')).toBe(example('MessageItem', 'id'));
    expect(example('StoredMessageData', 'conversationId')).toBe(byName.conversationId[0]);
    expect(example('StoredMessageData', 'authorId')).toBe(byName.authorId[0]);
  });

  it('is OpenAPI 3.1: inbox events a union by type, each event type a webhook, the stream text/event-stream', () => {
    expect(document.openapi).toBe('3.1.0');
    const schemas = document.components.schemas as Record<
      string,
      { discriminator?: { mapping: Record<string, string> }; properties?: Record<string, { const?: string }> }
    >;
    const schemaOf = (ref: string) => schemas[ref.replace('#/components/schemas/', '')];
    const mapping = schemas.InboxEvent.discriminator?.mapping ?? {};
    expect(Object.keys(mapping).sort()).toEqual([...DELIVERED_EVENT_TYPES].sort());
    for (const [type, ref] of Object.entries(mapping))
      expect(schemaOf(ref).properties?.type.const).toBe(type);
    expect(Object.keys(document.webhooks ?? {}).sort()).toEqual([...DELIVERED_EVENT_TYPES].sort());
    for (const [type, item] of Object.entries(document.webhooks ?? {})) {
      const body = item.post.requestBody?.content?.['application/json']?.schema as { $ref: string };
      expect([type, schemaOf(body.$ref).properties?.type.const]).toEqual([type, type]);
      expect(item.post.parameters?.map((p) => `${p.in} ${p.name} ${p.required}`)).toEqual([
        'header webhook-id true',
        'header webhook-timestamp true',
        'header webhook-signature true',
      ]);
    }
    expect(Object.keys(document.paths['/v1/inbox/stream'].get.responses['200'].content ?? {})).toEqual([
      'text/event-stream',
    ]);
  });

  it('reaches every documented operation: without a token each answers the 401 problem it documents, the sign-in routes what they take instead', async () => {
    const answers: string[] = [];
    for (const [path, item] of Object.entries(document.paths)) {
      for (const method of HTTP_METHODS.filter((m) => item[m])) {
        const url = `${system.gatewayUrl}${path.replace(/\{\w+\}/g, SOME_ID)}`;
        const res = await fetch(url, { method: method.toUpperCase() });
        const type = res.headers.get('content-type') ?? '';
        const documented = item[method].responses['401'];
        // The headers the document promises on the answer (the rate limiter's) are there too.
        const missing = Object.keys(documented?.headers ?? {}).filter((name) => !res.headers.has(name));
        answers.push(`${method} ${path} ${res.status} ${type.split(';')[0]} ${!!documented} [${missing}]`);
        await res.arrayBuffer();
      }
    }
    expect(answers.sort()).toEqual(
      documentedOperations(document)
        .map((op) => {
          const [method, path] = op.split(' ');
          const what = `${method.toLowerCase()} ${path}`;
          return `${what} ${SIGN_IN[what]?.unauthenticated ?? '401 application/problem+json true []'}`;
        })
        .sort(),
    );
    // A route that is not there is the router's 404, so the 401s above were the real routes.
    expect((await fetch(`${system.gatewayUrl}/v1/not-a-route`)).status).toBe(404);
  });

  it('still generates exactly the committed client types (else run `npm run client:generate`)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-openapi-'));
    try {
      const types = join(dir, 'schema.d.ts');
      // The same command as `npm run client:generate`, reading this running gateway instead.
      execFileSync(
        process.execPath,
        [
          '--require',
          join(ROOT, 'tools/ts-register.js'),
          join(ROOT, 'tools/openapi.ts'),
          join(dir, 'openapi.json'),
          '--from',
          system.gatewayUrl,
          '--types',
          types,
        ],
        { cwd: ROOT, stdio: 'pipe', timeout: 60_000 },
      );
      expect(JSON.parse(readFileSync(join(dir, 'openapi.json'), 'utf8'))).toEqual(document);
      const committed = readFileSync(join(ROOT, 'libs/client/src/schema.d.ts'), 'utf8');
      const generated = readFileSync(types, 'utf8');
      expect(generated).toContain('export interface paths');
      // Line by line, so that a failure shows where the committed file is stale.
      expect(generated.split('\n')).toEqual(committed.split('\n'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);

  it('describes the webhook calls as they arrive: the signature headers, and a payload its schema accepts', async () => {
    const calls: Array<{ headers: IncomingHttpHeaders; payload: { type: string } }> = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        calls.push({ headers: req.headers, payload: JSON.parse(body) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((listening) => receiver.listen(0, '127.0.0.1', listening));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
      const admin = clientOf(system, TEST_ADMIN_TOKEN);
      const hook = await admin.POST('/v1/webhooks', {
        body: { url, events: DELIVERED_EVENT_TYPES as RequestBody<'CreateWebhookRequest'>['events'] },
        headers: { prefer: 'wait=10' },
      });
      expect(hook.response.status).toBe(201);

      // A story that makes every public event but a rejected message, which the gateway's checks prevent.
      const agent = await newAgent(system, { teams: ['billing'] });
      await setPresence(system, agent, 'online');
      const customer = await newCustomer(system);
      const { id } = await openConversation(system, customer);
      const api = clientOf(system, agent);
      const path = { params: { path: { id } }, headers: { prefer: 'wait=10' } };
      await waitFor('assigned', async () => (await api.GET('/v1/conversations/{id}', path)).data?.assigneeId);
      await api.POST('/v1/conversations/{id}/notes', { ...path, body: { body: 'VIP' } });
      await api.POST('/v1/conversations/{id}/priority', { ...path, body: { priority: 'urgent' } });
      const label = await admin.POST('/v1/labels', {
        body: { name: 'refund', colour: '#d93f0b' },
        headers: { prefer: 'wait=10' },
      });
      await api.PUT('/v1/conversations/{id}/labels', { ...path, body: { labels: [label.data?.id ?? ''] } });
      await api.POST('/v1/conversations/{id}/read', { ...path, body: { seq: 1 } });
      await api.POST('/v1/conversations/{id}/status', { ...path, body: { status: 'pending' } });
      await api.POST('/v1/conversations/{id}/transfer', {
        ...path,
        body: { team: 'billing', reason: 'Refund' },
      });
      await api.POST('/v1/conversations/{id}/status', { ...path, body: { status: 'resolved' } });
      await clientOf(system, customer).POST('/v1/conversations/{id}/rating', { ...path, body: { score: 5 } });

      const expected = DELIVERED_EVENT_TYPES.filter((type) => type !== 'message.rejected').sort();
      await waitFor('a call for each event type', async () =>
        expected.every((type) => calls.some((call) => call.payload.type === type)),
      );
      const webhooks = document.webhooks ?? {};
      const problems = calls.flatMap(({ headers, payload }) => {
        const missing = ['webhook-id', 'webhook-timestamp', 'webhook-signature'].filter((h) => !headers[h]);
        const schema = webhooks[payload.type]?.post.requestBody?.content?.['application/json']?.schema;
        if (!schema) return [`${payload.type}: no webhook described`];
        return [
          ...missing.map((h) => `${payload.type}: no ${h} header`),
          ...schemaProblems(document, schema, payload).map((p) => `${payload.type}: ${p}`),
        ];
      });
      expect(problems).toEqual([]);
    } finally {
      receiver.close();
    }
  }, 90_000);

  it('passes Redocly’s `recommended` rules, none turned off, with no error and no warning', () => {
    const config = parse(readFileSync(join(ROOT, 'redocly.yaml'), 'utf8')) as Record<string, unknown>;
    expect(config.extends).toEqual(['recommended']);
    expect(config.rules).toBeUndefined();
    const dir = mkdtempSync(join(tmpdir(), 'parley-redocly-'));
    try {
      const file = join(dir, 'openapi.json');
      writeFileSync(file, JSON.stringify(document));
      const report = execFileSync(
        bin('redocly'),
        ['lint', file, '--config', join(ROOT, 'redocly.yaml'), '--format', 'json'],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000, encoding: 'utf8' },
      );
      const { totals, problems } = JSON.parse(report) as { totals: object; problems: unknown[] };
      expect(problems).toEqual([]);
      expect(totals).toEqual({ errors: 0, warnings: 0, ignored: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);

  it('gives an integrator types (openapi-typescript, default options) that the README’s example compiles against', () => {
    const dir = scratch('readme-example-');
    try {
      // As the README tells an integrator: from the served document, with no option at all.
      execFileSync(
        bin('openapi-typescript'),
        [`${system.gatewayUrl}/docs/openapi.json`, '-o', 'parley.d.ts'],
        {
          cwd: dir,
          stdio: 'pipe',
          timeout: 60_000,
        },
      );
      writeFileSync(join(dir, 'example.ts'), readmeExample());
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({
          // A bundler project's settings; the generated types are checked too (no skipLibCheck).
          compilerOptions: {
            target: 'es2022',
            module: 'preserve',
            moduleResolution: 'bundler',
            lib: ['es2022', 'dom'],
            types: [],
            strict: true,
            noEmit: true,
            skipLibCheck: false,
          },
          files: ['example.ts'],
        }),
      );
      try {
        execFileSync(bin('tsc'), ['-p', dir], {
          cwd: dir,
          stdio: 'pipe',
          timeout: 120_000,
          encoding: 'utf8',
        });
      } catch (error) {
        throw new Error(`The README's example does not compile:\n${(error as { stdout: string }).stdout}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
