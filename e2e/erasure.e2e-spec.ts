// Erasing a customer everywhere (issue 26, ADR 14): a customer whose marker string is in every kind
// of content Parley keeps is erased while history is stopped; once history is back and the
// certificate is complete, the marker is nowhere (every table of every schema, the search API,
// inbox rows, the object stores, every stream's raw messages, mail's stored copies and spool), and
// another customer's marker is still where it was.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { Client } from 'pg';
import type { Browser, Locator } from 'playwright-core';
import { CONTENT_KEYS_BUCKET, mailSenderScopeId } from '@parley/contracts';
import { ParleySystem, TEST_ADMIN_TOKEN, waitFor } from '@parley/testing';
import {
  Actor,
  AGENT_PASSWORD,
  newAgent,
  newSignedUpAgent,
  openConversation,
  setPresence,
} from './support/actors';
import { launchChromium } from './support/browser';

const marker = () => `erasemark${randomBytes(6).toString('hex')}`;
/** The gateway's Postmark inbound webhook credentials, for an email that matches no conversation. */
const POSTMARK = 'postmark:inbound-webhook-password-0123456789';
const WAIT = { prefer: 'wait=10' };
const UI_TIMEOUT_MS = 15_000;
const visible = (locator: Locator) => locator.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });

describe('erasing a customer everywhere', () => {
  const spool = mkdtempSync(join(tmpdir(), 'parley-erasure-mail-'));
  const hooked: string[] = [];
  let receiver: Server;
  let system: ParleySystem;
  let nc: NatsConnection;
  let db: Client;
  let agent: Actor;
  let browser: Browser;

  // The routes are called as the API documents them; the bodies are read field by field.
  const admin = (method: string, path: string, body?: unknown) =>
    system.api(method, path, { token: TEST_ADMIN_TOKEN, body, headers: WAIT });
  const as = (who: Actor, method: string, path: string, body?: unknown) =>
    system.api(method, path, { token: who.token, body, headers: WAIT });

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        hooked.push(body);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
    const launched = launchChromium();
    system = await ParleySystem.start(
      {
        PARLEY_SMTP_URL: '',
        PARLEY_MAIL_DROP_DIR: spool,
        PARLEY_MAIL_DEFAULT_NOTIFY_DELAY_SECONDS: '1',
        PARLEY_MAIL_POLL_INTERVAL_MS: '200',
        PARLEY_WEBHOOK_ALLOWED_NETWORKS: '127.0.0.0/8',
      },
      { serviceEnv: { gateway: { PARLEY_MAIL_INBOUND_WEBHOOK_SECRET: POSTMARK } } },
    );
    nc = await connect({ servers: system.nats.url });
    db = new Client({ connectionString: system.database.url });
    await db.connect();
    agent = await newAgent(system, { name: 'Erin Agent' });
    await setPresence(system, agent, 'online');
    browser = await launched;
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await db?.end();
    await nc?.close();
    await system?.stop();
    await new Promise((done) => receiver?.close(done));
    rmSync(spool, { recursive: true, force: true });
  });

  /**
   * A customer with `mark` in their name, email, externalId and attributes, and in a conversation:
   * their messages, the agent's reply (which mail sends them) and note, an attachment's name and
   * bytes, and their rating's comment.
   */
  async function seed(mark: string): Promise<{ customer: Actor; conversationId: string }> {
    const created = await admin('POST', '/v1/customers', {
      externalId: `ext-${mark}`,
      name: `Name ${mark}`,
      email: `${mark}@test.example`,
    });
    expect([201, 202]).toContain(created.status);
    const customer: Actor = created.body;
    expect(
      (await admin('PATCH', `/v1/customers/${customer.id}`, { attributes: { plan: mark } })).status,
    ).toBe(200);
    const { id } = await openConversation(system, customer, {
      subject: `Subject ${mark}`,
      body: `Hello ${mark}`,
    });
    const upload = await fetch(
      `${system.gatewayUrl}/v1/conversations/${id}/attachments?name=${encodeURIComponent(`${mark}.txt`)}`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${customer.token}`, 'content-type': 'text/plain' },
        body: Buffer.from(`receipt ${mark}\n`),
      },
    );
    expect(upload.status).toBe(201);
    const attachment = (await upload.json()) as { id: string };
    expect(
      (
        await as(customer, 'POST', `/v1/conversations/${id}/messages`, {
          body: `Attached ${mark}`,
          attachments: [attachment.id],
        })
      ).status,
    ).toBe(201);
    expect(
      (await as(agent, 'POST', `/v1/conversations/${id}/messages`, { body: `Reply ${mark}` })).status,
    ).toBe(201);
    expect((await as(agent, 'POST', `/v1/conversations/${id}/notes`, { body: `Note ${mark}` })).status).toBe(
      201,
    );
    // An email from the customer's address that names no conversation: mail keeps it as unmatched,
    // sealed in the streams under the scope of its sender's address.
    const inbound = await fetch(`${system.gatewayUrl}/v1/mail/inbound/postmark`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(POSTMARK).toString('base64')}`,
      },
      body: JSON.stringify({
        MessageID: `postmark-${mark}`,
        From: `${mark}@test.example`,
        FromName: `Name ${mark}`,
        FromFull: { Email: `${mark}@test.example`, Name: `Name ${mark}`, MailboxHash: '' },
        Cc: '',
        CcFull: [],
        MailboxHash: '',
        HtmlBody: '',
        StrippedTextReply: '',
        Tag: '',
        To: 'support@test.example',
        ToFull: [{ Email: 'support@test.example', Name: '', MailboxHash: '' }],
        OriginalRecipient: 'support@test.example',
        Subject: `Question ${mark}`,
        Date: 'Mon, 7 Dec 2026 10:05:00 +0000',
        TextBody: `Unmatched ${mark}`,
        Headers: [{ Name: 'Message-ID', Value: `<unmatched-${mark}@test.example>` }],
        Attachments: [],
      }),
    });
    expect(inbound.status).toBe(200);
    // The reply stays unread: mail sends the customer a notification carrying it.
    await waitFor(`the email to ${mark}`, async () => spooled(mark) || undefined, 30_000);
    expect((await as(agent, 'POST', `/v1/conversations/${id}/status`, { status: 'resolved' })).status).toBe(
      200,
    );
    expect(
      (await as(customer, 'POST', `/v1/conversations/${id}/rating`, { score: 2, comment: `Comment ${mark}` }))
        .status,
    ).toBe(200);
    return { customer, conversationId: id };
  }

  /** Whether an email in mail's drop directory (its spool) holds the text. */
  const spooled = (text: string) =>
    readdirSync(spool).some((file) => readFileSync(join(spool, file), 'utf8').includes(text));

  /** Every row of every table of every schema holding the text, as `schema.table`. */
  async function tablesHolding(text: string): Promise<string[]> {
    const { rows: tables } = await db.query<{ schema: string; name: string }>(
      `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
        WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`,
    );
    const holding: string[] = [];
    for (const { schema, name } of tables) {
      // A row as text is every column of it: text, jsonb, arrays, tsvector.
      const { rows } = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "${schema}"."${name}" t WHERE strpos(t::text, $1) > 0`,
        [text],
      );
      if (rows[0].n) holding.push(`${schema}.${name}`);
    }
    return holding;
  }

  /** Every stream's raw messages (subject, headers and data) holding the text, as `stream#seq`. */
  async function streamMessagesHolding(text: string): Promise<string[]> {
    const jsm = await jetstreamManager(nc);
    const holding: string[] = [];
    for await (const stream of jsm.streams.list()) {
      const { first_seq, last_seq } = stream.state;
      for (let seq = first_seq; seq && seq <= last_seq; seq++) {
        const message = await jsm.streams.getMessage(stream.config.name, { seq }).catch(() => null);
        if (!message) continue;
        const raw = `${message.subject}\n${message.header?.toString() ?? ''}\n${Buffer.from(message.data).toString('utf8')}`;
        if (raw.includes(text)) holding.push(`${stream.config.name}#${seq}`);
      }
    }
    return holding;
  }

  /** The erasure's certificate once every store is in; else what it lacks, with the services' logs. */
  async function completed(certificateUrl: string, timeoutMs = 60_000) {
    let last: unknown;
    try {
      return await waitFor(
        'the certificate to complete',
        async () => {
          const res = await admin('GET', certificateUrl);
          last = res.body;
          return res.body.completedAt ? res.body : undefined;
        },
        timeoutMs,
      );
    } catch (error) {
      const logs = Object.values(system.services).map((s) => `--- ${s.name}\n${s.recentOutput(20)}`);
      throw new Error(`${(error as Error).message}: ${JSON.stringify(last)}\n${logs.join('\n')}`);
    }
  }

  /** A scope's entry in the content keys' bucket: its sealed key, or the tombstone of a destroyed one. */
  async function contentKey(kind: 'customer' | 'conversation', id: string) {
    const jsm = await jetstreamManager(nc);
    const entry = await jsm.streams.getMessage(`KV_${CONTENT_KEYS_BUCKET}`, {
      last_by_subj: `$KV.${CONTENT_KEYS_BUCKET}.${kind}.${id}`,
    });
    return entry?.json<{ sealedKey?: string; destroyed?: boolean }>();
  }

  it('leaves the marker nowhere, with history stopped during the erasure, and keeps the other customer whole', async () => {
    const hook = await admin('POST', '/v1/webhooks', {
      url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
      events: ['message.created'],
    });
    expect([201, 202]).toContain(hook.status);
    const gone = marker();
    const kept = marker();
    const erased = await seed(gone);
    const other = await seed(kept);
    await waitFor('the webhook deliveries', async () => hooked.some((b) => b.includes(gone)) || undefined);
    // An export of everything, kept in the exports' object store until the erasure.
    const exported = await admin('POST', `/v1/customers/${erased.customer.id}/export`);
    expect(exported.status).toBe(202);
    await waitFor('the export', async () => {
      const res = await admin('GET', exported.body.statusUrl);
      return res.body.status === 'ready' || undefined;
    });
    const seeded = ['history.messages', 'conversation.customers', 'mail.sent_emails', 'mail.inbound_mail'];
    await waitFor('the marker in every service', async () => {
      const holding = await tablesHolding(gone);
      return seeded.every((table) => holding.includes(table)) || undefined;
    });
    // The scan finds the attachment (file name and bytes) and the export in their object stores.
    const objects = (await streamMessagesHolding(gone)).filter((at) => at.startsWith('OBJ_'));
    expect(objects.filter((at) => at.startsWith('OBJ_parley-attachments#'))).toHaveLength(2);
    expect(objects.filter((at) => at.startsWith('OBJ_parley-exports#')).length).toBeGreaterThan(0);

    // What the streams hold of the conversation is sealed under its key (ADR 13).
    expect((await contentKey('conversation', erased.conversationId))?.sealedKey).toEqual(expect.any(String));

    await system.services.history.stop();
    const first = await admin('DELETE', `/v1/customers/${erased.customer.id}`);
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({
      status: 'pending',
      certificateUrl: `/v1/erasures/${first.body.erasureId}`,
    });
    const again = await admin('DELETE', `/v1/customers/${erased.customer.id}`);
    expect(again.status).toBe(202);
    expect(again.body.erasureId).toBe(first.body.erasureId);
    // Without history the erasure cannot complete, whatever else is done; the exports wait for it,
    // as history may have written a part of one before its erasure.
    const waitingFor = (certificate: { stores: Array<{ store: string; erasedAt: string | null }> }) =>
      certificate.stores.filter((s) => !s.erasedAt).map((s) => s.store);
    const pending = await waitFor('every store but history and the exports', async () => {
      const res = await admin('GET', first.body.certificateUrl);
      return res.status === 200 && waitingFor(res.body).length === 2 ? res.body : undefined;
    });
    expect(pending.completedAt).toBeNull();
    expect(waitingFor(pending)).toEqual(['exports', 'history']);
    await system.services.history.start();

    const certificate = await completed(first.body.certificateUrl);
    expect(certificate).toMatchObject({
      id: first.body.erasureId,
      customerId: erased.customer.id,
      requestedBy: { kind: 'admin' },
      conversations: 1,
    });
    expect(certificate.stores.map((s: { store: string }) => s.store).sort()).toEqual([
      'attachments',
      'conversation',
      'delivery',
      'exports',
      'history',
      'mail',
      'streams',
    ]);
    expect(certificate.stores.find((s: { store: string }) => s.store === 'streams').method).toBe(
      'cryptographic',
    );
    for (const store of certificate.stores) expect(store.erasedAt).not.toBeNull();

    // Nowhere: the database, the search index, inboxes, the object stores and every stream, mail.
    expect(await tablesHolding(gone)).toEqual([]);
    const search = await as(agent, 'GET', `/v1/search?q=${gone}`);
    expect(search.status).toBe(200);
    expect(search.body.items).toEqual([]);
    const inbox = await as(agent, 'GET', '/v1/inbox?limit=200');
    expect(JSON.stringify(inbox.body)).not.toContain(gone);
    expect(spooled(gone)).toBe(false);

    // What agents see where the customer was, and what writes and reads of it answer.
    const shell = await as(agent, 'GET', `/v1/conversations/${erased.conversationId}`);
    expect(shell.status).toBe(200);
    expect(shell.body).toMatchObject({ status: 'resolved', subject: null, rating: null, customerName: null });
    expect(shell.body.erasedAt).toEqual(expect.any(String));
    const card = await as(agent, 'GET', `/v1/customers/${erased.customer.id}`);
    expect(card.body).toMatchObject({ name: null, email: null, externalId: null, attributes: {} });
    expect(card.body.erasedAt).toEqual(expect.any(String));
    const write = await as(agent, 'POST', `/v1/conversations/${erased.conversationId}/messages`, {
      body: 'Hello?',
    });
    expect(write.status).toBe(410);
    expect(write.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await as(agent, 'GET', `/v1/conversations/${erased.conversationId}/messages`)).status).toBe(410);
    expect(
      (await as(erased.customer, 'GET', `/v1/conversations/${erased.conversationId}/messages`)).status,
    ).toBe(410);
    // Another customer learns nothing of it: as for any conversation not theirs.
    expect(
      (await as(other.customer, 'GET', `/v1/conversations/${erased.conversationId}/messages`)).status,
    ).toBe(404);

    // The other customer is whole.
    expect(await tablesHolding(kept)).toEqual(
      expect.arrayContaining([
        'history.messages',
        'conversation.customers',
        'mail.sent_emails',
        'delivery.inbox_events',
      ]),
    );
    const found = await as(agent, 'GET', `/v1/search?q=${kept}`);
    expect(found.body.items.length).toBeGreaterThan(0);
    expect(spooled(kept)).toBe(true);
    const otherMessages = await as(
      other.customer,
      'GET',
      `/v1/conversations/${other.conversationId}/messages`,
    );
    expect(JSON.stringify(otherMessages.body)).toContain(`Attached ${kept}`);

    // The streams keep their copies until they age out, sealed under keys the erasure destroyed.
    expect(await streamMessagesHolding(gone)).toEqual([]);
    expect(await contentKey('conversation', erased.conversationId)).toMatchObject({ destroyed: true });
    const senderScope = mailSenderScopeId(`${gone}@test.example`) as string;
    expect(await contentKey('customer', senderScope)).toMatchObject({ destroyed: true });
    expect(
      (await contentKey('customer', mailSenderScopeId(`${kept}@test.example`) as string))?.sealedKey,
    ).toEqual(expect.any(String));
    expect((await contentKey('conversation', other.conversationId))?.sealedKey).toEqual(expect.any(String));
  }, 240_000);

  it("takes the widget's erasure request once, and erases the customer when an admin approves it, as the console then shows", async () => {
    const mark = marker();
    const created = await admin('POST', '/v1/customers', { externalId: `ext-${mark}`, name: `Name ${mark}` });
    const customer: Actor = created.body;
    const { id } = await openConversation(system, customer, {
      subject: `Subject ${mark}`,
      body: `Hello ${mark}`,
    });

    const widget = await browser.newPage();
    try {
      await widget.goto(`${system.gatewayUrl}/widget/#token=${customer.token}`);
      await visible(widget.getByText(`Hello ${mark}`));
      await widget.getByRole('button', { name: 'Delete my data' }).click();
      await widget.getByRole('button', { name: 'Ask to delete my data' }).click();
      await visible(widget.getByText('Your request to delete your data is pending'));
    } finally {
      await widget.close();
    }
    const asked = await waitFor('the request listed', async () => {
      const res = await admin('GET', '/v1/erasure-requests?status=pending');
      return res.body.items?.find((r: { customerId: string }) => r.customerId === customer.id);
    });
    expect(asked.status).toBe('pending');
    // Asking again while it waits is the same request.
    const again = await as(customer, 'POST', '/v1/me/erasure-request');
    expect(again.status).toBe(202);
    expect(again.body.id).toBe(asked.id);
    expect((await as(agent, 'POST', `/v1/erasure-requests/${asked.id}/approve`)).status).toBe(403);

    const approved = await admin('POST', `/v1/erasure-requests/${asked.id}/approve`);
    expect(approved.status).toBe(202);
    const certificate = await completed(approved.body.certificateUrl);
    expect(certificate).toMatchObject({ customerId: customer.id, requestId: asked.id });
    const decided = await admin('GET', '/v1/erasure-requests');
    expect(decided.body.items.find((r: { id: string }) => r.id === asked.id)).toMatchObject({
      status: 'approved',
      erasureId: approved.body.erasureId,
    });
    expect((await admin('POST', `/v1/erasure-requests/${asked.id}/decline`)).status).toBe(409);
    // Bad input is a 4xx problem a person can act on.
    const forged = Buffer.from(JSON.stringify(['not a time', 'x'])).toString('base64url');
    for (const [method, path, status] of [
      ['GET', `/v1/erasure-requests?cursor=${forged}`, 400],
      ['GET', '/v1/erasure-requests?status=maybe', 400],
      ['GET', '/v1/erasures/erasure-0000', 404],
      ['DELETE', '/v1/customers/0190aaaa-0000-7000-8000-000000000000', 404],
      ['POST', '/v1/erasure-requests/0190aaaa-0000-7000-8000-000000000000/approve', 404],
    ] as const) {
      const res = await admin(method, path);
      expect([path, res.status]).toEqual([path, status]);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    expect((await as(customer, 'POST', '/v1/me/erasure-request')).status).toBe(410);
    expect(await tablesHolding(mark)).toEqual([]);

    const after = await browser.newPage();
    try {
      await after.goto(`${system.gatewayUrl}/widget/#token=${customer.token}`);
      await visible(after.getByRole('heading', { name: 'Your data was erased' }));
    } finally {
      await after.close();
    }

    const email = `erin.console.${mark}@example.com`;
    await newSignedUpAgent(system, { name: 'Console Agent', email, password: AGENT_PASSWORD });
    const console = await browser.newPage();
    try {
      await console.goto(`${system.gatewayUrl}/console/conversations/${id}`);
      await console.getByLabel('Email').fill(email);
      await console.getByLabel('Password').fill(AGENT_PASSWORD);
      await console.getByRole('button', { name: 'Sign in' }).click();
      await visible(console.getByRole('heading', { name: 'Erased customer', level: 1 }));
      await visible(console.getByText('everything said in this conversation was erased with them'));
      await visible(console.getByRole('heading', { name: 'Erased customer', level: 2 }));
    } finally {
      await console.close();
    }
  }, 120_000);
});
