import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ParleySystem } from '@parley/testing';
import {
  documentedOperations,
  exampleProblems,
  parameterExampleProblems,
  examplesByName,
  fetchDocument,
  HTTP_METHODS,
  OpenApiDocument,
} from './support/openapi-conformance';

const ROOT = resolve(__dirname, '..');
const SOME_ID = '0192f7a0-1c2d-7e3f-8a9b-0c1d2e3f4a5b';

/**
 * The document at /docs/openapi.json is what clients are generated from, so it must describe the
 * gateway as it runs: every route and nothing else, each one reachable, and the committed client
 * types (libs/client/src/schema.d.ts) regenerated from it must not change.
 */
describe('the OpenAPI document served by the gateway', () => {
  let system: ParleySystem;
  let document: OpenApiDocument;

  beforeAll(async () => {
    system = await ParleySystem.start();
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

  it('names each operation uniquely, summarises it, and asks for a bearer token', () => {
    const operations = Object.entries(document.paths).flatMap(([path, item]) =>
      HTTP_METHODS.filter((m) => item[m]).map((m) => ({ what: `${m} ${path}`, ...item[m] })),
    );
    const ids = operations.map((o) => o.operationId);
    expect(ids.filter((id) => !id || !/^[a-z][A-Za-z]+$/.test(id))).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(operations.filter((o) => !o.summary).map((o) => o.what)).toEqual([]);
    expect(operations.filter((o) => !o.security?.some((s) => 'bearer' in s)).map((o) => o.what)).toEqual([]);
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
    expect(example('InboxEvent', 'id')).toBe(byName.eventId[0]);
    expect(example('InboxEvent', 'data')).toMatchObject({
      messageId: example('MessageItem', 'id'),
      conversationId: byName.conversationId[0],
      authorId: byName.authorId[0],
    });
  });

  it('reaches every documented operation: without a token each answers the 401 problem it documents', async () => {
    const answers: string[] = [];
    for (const [path, item] of Object.entries(document.paths)) {
      for (const method of HTTP_METHODS.filter((m) => item[m])) {
        const url = `${system.gatewayUrl}${path.replace(/\{\w+\}/g, SOME_ID)}`;
        const res = await fetch(url, { method: method.toUpperCase() });
        const type = res.headers.get('content-type') ?? '';
        const documented = '401' in item[method].responses;
        answers.push(`${method} ${path} ${res.status} ${type.split(';')[0]} ${documented}`);
        await res.arrayBuffer();
      }
    }
    expect(answers.sort()).toEqual(
      documentedOperations(document)
        .map((op) => {
          const [method, path] = op.split(' ');
          return `${method.toLowerCase()} ${path} 401 application/problem+json true`;
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
});
