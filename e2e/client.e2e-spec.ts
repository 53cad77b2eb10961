import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createParleyClient, ParleyClient, Problem } from '@parley/client';
import { ParleySystem, TEST_ADMIN_TOKEN, waitFor } from '@parley/testing';
import { DocumentConformance, fetchDocument } from './support/openapi-conformance';

const ROOT = resolve(__dirname, '..');

/** Runs a command for its output; on failure, the error says what it printed. */
function run(command: string, args: string[], cwd: string): string {
  try {
    return execFileSync(command, args, { cwd, stdio: 'pipe', encoding: 'utf8', timeout: 120_000 });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

/** The answer's body when it has the expected status; otherwise a failure naming what came instead. */
function expectStatus<T>(result: { data?: T; error?: unknown; response: Response }, status: number): T {
  if (result.response.status !== status || result.data === undefined) {
    throw new Error(
      `${result.response.url} answered ${result.response.status} (expected ${status}): ${JSON.stringify(result.error)}`,
    );
  }
  return result.data;
}

/**
 * The main story of Parley told only through @parley/client, whose types are generated from the
 * gateway's OpenAPI document: it compiles only while the document matches how the story uses the API,
 * and every answer is also checked at run time against that document (documented status, content
 * type, schema with no undocumented field). So neither side can drift from the other unnoticed.
 */
describe('the typed client (@parley/client) against the whole system', () => {
  let system: ParleySystem;
  let conformance: DocumentConformance;

  const client = (token?: string): ParleyClient => {
    const api = createParleyClient(system.gatewayUrl, token);
    api.use(conformance.middleware);
    return api;
  };

  beforeAll(async () => {
    system = await ParleySystem.start();
    conformance = new DocumentConformance(await fetchDocument(system.gatewayUrl));
  }, 120_000);

  afterEach(() => {
    const violations = conformance.violations;
    conformance.violations = [];
    expect(violations).toEqual([]);
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('admin creates an agent and a customer; the customer opens, the agent comes online, is assigned and replies; the customer reads history and inbox', async () => {
    const admin = client(TEST_ADMIN_TOKEN);

    // The admin creates the people and hands them their tokens.
    const agent = expectStatus(
      await admin.POST('/v1/agents', {
        body: { name: 'Ada Lovelace', email: 'ada@example.com', teams: ['billing'], capacity: 3 },
      }),
      202,
    );
    const customerBody = { externalId: 'crm-client-1', name: 'Grace Hopper', email: 'grace@example.com' };
    const customer = expectStatus(await admin.POST('/v1/customers', { body: customerBody }), 202);
    const again = expectStatus(await admin.POST('/v1/customers', { body: customerBody }), 202);
    expect(again.id).toBe(customer.id);
    const agentApi = client(agent.token);
    const customerApi = client(customer.token);

    const listed = await waitFor('the agent to be registered', async () => {
      const page = expectStatus(await admin.GET('/v1/agents'), 200);
      return page.items.find((a) => a.id === agent.id);
    });
    expect(listed).toMatchObject({ name: 'Ada Lovelace', presence: 'offline', load: 0, teams: ['billing'] });

    // The customer writes while nobody is online: the conversation waits in the queue.
    const opened = expectStatus(
      await customerApi.POST('/v1/conversations', {
        params: { header: { 'idempotency-key': 'order-1234' } },
        body: { subject: 'Order #1234', body: 'Where is my parcel?', priority: 'high' },
      }),
      202,
    );
    const retried = await customerApi.POST('/v1/conversations', {
      params: { header: { 'idempotency-key': 'order-1234' } },
      body: { subject: 'Order #1234', body: 'Where is my parcel?', priority: 'high' },
    });
    expect(expectStatus(retried, 202)).toEqual(opened);
    const path = { id: opened.id };
    const conversation = await waitFor('the conversation to be opened', async () => {
      const got = await customerApi.GET('/v1/conversations/{id}', { params: { path } });
      return got.data;
    });
    expect(conversation).toMatchObject({
      id: opened.id,
      customerId: customer.id,
      subject: 'Order #1234',
      status: 'open',
      priority: 'high',
      assigneeId: null,
    });
    const queue = expectStatus(await agentApi.GET('/v1/queue'), 200);
    expect(queue.items.map((c) => c.id)).toEqual([opened.id]);

    // The agent comes online and takes it from the queue at once.
    const presence = expectStatus(
      await agentApi.PUT('/v1/agents/me/presence', { body: { status: 'online' } }),
      202,
    );
    expect(presence).toEqual({ agentId: agent.id, status: 'online' });
    await waitFor('the conversation to be assigned to the agent', async () => {
      const got = await agentApi.GET('/v1/conversations/{id}', { params: { path } });
      return got.data?.assigneeId === agent.id;
    });
    const mine = expectStatus(
      await agentApi.GET('/v1/conversations', { params: { query: { assignee: 'me', status: 'open' } } }),
      200,
    );
    expect(mine.items.map((c) => c.id)).toEqual([opened.id]);
    expect(expectStatus(await agentApi.GET('/v1/queue'), 200).items).toEqual([]);
    const agents = expectStatus(await agentApi.GET('/v1/agents'), 200);
    expect(agents.items.find((a) => a.id === agent.id)).toMatchObject({ presence: 'online', load: 1 });

    // The agent replies, and leaves a note the customer must never see.
    const reply = expectStatus(
      await agentApi.POST('/v1/conversations/{id}/messages', {
        params: { path },
        body: { body: 'It ships tomorrow morning.' },
      }),
      202,
    );
    const note = expectStatus(
      await agentApi.POST('/v1/conversations/{id}/notes', {
        params: { path },
        body: { body: 'Carrier confirmed the delay.' },
      }),
      202,
    );

    // The customer reads the history: their message and the reply, in seq order, without the note.
    const history = await waitFor('the reply in the history', async () => {
      const page = expectStatus(
        await customerApi.GET('/v1/conversations/{id}/messages', { params: { path, query: { limit: 10 } } }),
        200,
      );
      return page.items.length === 2 ? page : undefined;
    });
    expect(history.items.map((m) => [m.seq, m.authorRole, m.type, m.body, m.id])).toEqual([
      [1, 'customer', 'message', 'Where is my parcel?', opened.messageId],
      [2, 'agent', 'message', 'It ships tomorrow morning.', reply.id],
    ]);
    expect(history.nextCursor).toBeNull();
    const agentView = await waitFor('the note in the agent’s history', async () => {
      const page = expectStatus(
        await agentApi.GET('/v1/conversations/{id}/messages', { params: { path } }),
        200,
      );
      return page.items.length === 3 ? page : undefined;
    });
    expect(agentView.items.map((m) => [m.seq, m.type, m.id])).toEqual([
      [1, 'message', opened.messageId],
      [2, 'message', reply.id],
      [3, 'note', note.id],
    ]);
    // Its author and agents may follow a message's status.
    const status = expectStatus(
      await customerApi.GET('/v1/messages/{id}', { params: { path: { id: opened.messageId } } }),
      200,
    );
    expect(status).toMatchObject({ id: opened.messageId, seq: 1, status: 'stored', authorId: customer.id });
    const replyStatus = expectStatus(
      await agentApi.GET('/v1/messages/{id}', { params: { path: { id: reply.id } } }),
      200,
    );
    expect(replyStatus).toMatchObject({ id: reply.id, seq: 2, status: 'stored', authorRole: 'agent' });
    expect(
      (await customerApi.GET('/v1/messages/{id}', { params: { path: { id: reply.id } } })).error,
    ).toMatchObject({
      status: 404,
    });

    // The customer's inbox has both messages once each, and never the note.
    const inbox = await waitFor('the reply in the customer’s inbox', async () => {
      const page = expectStatus(
        await customerApi.GET('/v1/inbox', { params: { query: { limit: 200 } } }),
        200,
      );
      return page.events.some((e) => e.type === 'message.created' && e.data.messageId === reply.id)
        ? page
        : undefined;
    });
    const created = inbox.events.filter((e) => e.type === 'message.created');
    expect(created.map((e) => e.data.messageId)).toEqual([opened.messageId, reply.id]);
    expect(inbox.events.filter((e) => e.type === 'note.created')).toEqual([]);
    expect(inbox.events.every((e) => e.conversationId === opened.id)).toBe(true);
    expect(inbox.nextCursor).toBe(inbox.events[inbox.events.length - 1].cursor);
    const acked = expectStatus(
      await customerApi.POST('/v1/inbox/ack', { body: { cursor: inbox.nextCursor ?? '' } }),
      202,
    );
    expect(acked).toEqual({ cursor: inbox.nextCursor });
    const nothingNew = expectStatus(
      await customerApi.GET('/v1/inbox', { params: { query: { cursor: inbox.nextCursor ?? undefined } } }),
      200,
    );
    expect(nothingNew.events).toEqual([]);

    // Reading the reply clears the customer's unread count.
    await waitFor('one unread message for the customer', async () => {
      const page = expectStatus(await customerApi.GET('/v1/conversations'), 200);
      return page.items.find((c) => c.id === opened.id)?.unread === 1;
    });
    expectStatus(
      await customerApi.POST('/v1/conversations/{id}/read', { params: { path }, body: { seq: 2 } }),
      202,
    );
    await waitFor('no unread message for the customer', async () => {
      const page = expectStatus(await customerApi.GET('/v1/conversations'), 200);
      return page.items.find((c) => c.id === opened.id)?.unread === 0;
    });

    expect(conformance.checked.length).toBeGreaterThan(20);
  }, 120_000);

  it('types refusals as problems: the wrong role, bad input, no token', async () => {
    const admin = client(TEST_ADMIN_TOKEN);
    const customer = expectStatus(
      await admin.POST('/v1/customers', { body: { externalId: 'crm-client-2' } }),
      202,
    );
    const customerApi = client(customer.token);

    const queue = await customerApi.GET('/v1/queue');
    expect(queue.response.status).toBe(403);
    expect(queue.response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const forbidden: Problem | undefined = queue.error;
    expect(forbidden).toMatchObject({ status: 403, title: expect.any(String) });

    const empty = await customerApi.POST('/v1/conversations', { body: { body: '' } });
    expect(empty.response.status).toBe(400);
    expect(empty.error?.errors?.map((e) => e.field)).toEqual(['body']);

    const anonymous = await client().GET('/v1/inbox');
    expect(anonymous.response.status).toBe(401);
    expect(anonymous.error?.status).toBe(401);
    expect(anonymous.data).toBeUndefined();
  });

  it('installs as a package: `npm pack` of libs/client, installed elsewhere, compiles and follows the story', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-packed-client-'));
    try {
      // prepack builds dist/ (JavaScript and .d.ts); the tarball holds only that and package.json.
      run('npm', ['pack', '--pack-destination', dir], join(ROOT, 'libs/client'));
      const [tarball] = readdirSync(dir).filter((f) => f.endsWith('.tgz'));
      const consumer = join(dir, 'consumer');
      mkdirSync(consumer);
      writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
      // Outside the repository, so that only the tarball and its declared dependencies can resolve.
      run(
        'npm',
        ['install', '--prefer-offline', '--no-audit', '--no-fund', '--no-package-lock', join(dir, tarball)],
        consumer,
      );
      copyFileSync(join(__dirname, 'support/packed-client-consumer.ts'), join(consumer, 'main.ts'));
      writeFileSync(
        join(consumer, 'tsconfig.json'),
        JSON.stringify({
          // The package's own .d.ts files are checked too (no skipLibCheck).
          compilerOptions: {
            target: 'es2022',
            module: 'node16',
            moduleResolution: 'node16',
            lib: ['es2022', 'dom'],
            types: ['node'],
            typeRoots: [join(ROOT, 'node_modules/@types')],
            strict: true,
            skipLibCheck: false,
          },
          files: ['main.ts'],
        }),
      );
      run(join(ROOT, 'node_modules/.bin/tsc'), ['-p', consumer], consumer);
      const seen = JSON.parse(
        run(process.execPath, [join(consumer, 'main.js'), system.gatewayUrl, TEST_ADMIN_TOKEN], consumer),
      ) as { opened?: string; conversationId: string; body: string };
      expect(seen).toEqual({
        opened: expect.any(String),
        conversationId: seen.opened,
        body: 'Sent from the package',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
