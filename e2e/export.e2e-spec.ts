// Issue 26's export, against the whole system: everything Parley holds about a customer in one
// archive behind an expiring signed link, each item once and nothing of anyone else; an export
// asked for while history is stopped completes once it is back; and a customer downloads their
// conversations from the widget in Chromium.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Browser } from 'playwright-core';
import yauzl from 'yauzl';
import { CHROMIUM, ParleySystem, requirePrerequisite, TEST_ADMIN_TOKEN, waitFor } from '@parley/testing';
import { Actor, answer, clientOf, newAgent, openConversation } from './support/actors';
import { launchChromium } from './support/browser';
import { MailCatcher } from './support/mail-catcher';

requirePrerequisite(CHROMIUM);

/** Short, so that the test sees a link stop working without waiting long. */
const LINK_TTL_SECONDS = 3;
const UI_TIMEOUT_MS = 30_000;

/** What export.json says, as far as the test reads it. */
interface ExportDocument {
  exportId: string;
  requestedBy: { kind: string; id: string };
  customer: { id: string; email: string | null; name: string | null } | null;
  conversations: Array<{
    id: string;
    status: string;
    labels: string[];
    createdAt: string;
    rating: { score: number; comment: string | null } | null;
    messages: Array<{
      id: string;
      type: string;
      internal: boolean;
      body: string;
      receipts: unknown[];
      attachments: Array<{ id: string; name: string; size: number; file: string | null }>;
    }>;
  }>;
  emails: Array<{ subject: string; text: string; sentAt: string }>;
}

interface ExportStatus {
  id: string;
  customerId: string;
  status: 'pending' | 'ready';
  parts: string[];
  url?: string;
}

/** A customer with a marker string in every kind of content Parley holds of them. */
interface Seeded {
  customer: Actor;
  email: string;
  conversationId: string;
  labelName: string;
  attachment: { name: string; bytes: Buffer };
  markers: { message: string; note: string; reply: string; rating: string; attachment: string };
}

/** Every entry of a zip, uncompressed, by its path. */
function unzip(bytes: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(bytes, { lazyEntries: true }, (error, zip) => {
      if (error || !zip) return reject(error ?? new Error('not a zip'));
      const files = new Map<string, Buffer>();
      zip.on('entry', (entry: yauzl.Entry) =>
        zip.openReadStream(entry, (failed, stream) => {
          if (failed || !stream) return reject(failed ?? new Error(`no stream for ${entry.fileName}`));
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('error', reject);
          stream.on('end', () => {
            files.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        }),
      );
      zip.on('end', () => resolve(files));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

const occurrences = (text: string, marker: string) => text.split(marker).length - 1;

describe('exporting a customer', () => {
  const catcher = new MailCatcher();
  let system: ParleySystem;
  let browser: Browser;
  let agent: Actor;
  let alice: Seeded;
  let bob: Seeded;

  const api = (path: string, token: string, init: RequestInit = {}) =>
    fetch(`${system.gatewayUrl}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, ...init.headers },
    });

  async function seed(tag: string): Promise<Seeded> {
    const marker = (what: string) => `${tag}-${what}-${randomUUID().slice(0, 8)}`;
    const markers = {
      message: marker('message'),
      note: marker('note'),
      reply: marker('reply'),
      rating: marker('rating'),
      attachment: marker('attachment'),
    };
    const email = `${tag.toLowerCase()}@test.example`;
    const created = await answer(
      clientOf(system, TEST_ADMIN_TOKEN).POST('/v1/customers', {
        body: { externalId: `export-${tag}`, name: `Customer ${tag}`, email },
        headers: { prefer: 'wait=10' },
      }),
    );
    expect(created.status).toBe(201);
    const customer = created.body as Actor;
    const { id: conversationId } = await openConversation(system, customer, {
      subject: `Order of ${tag}`,
      body: `My parcel ${markers.message} arrived broken`,
    });
    const attachment = { name: `receipt-${tag}.txt`, bytes: Buffer.from(`Receipt ${markers.attachment}\n`) };
    const uploaded = await fetch(
      `${system.gatewayUrl}/v1/conversations/${conversationId}/attachments?name=${attachment.name}`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${customer.token}`, 'content-type': 'text/plain' },
        body: attachment.bytes,
      },
    );
    expect(uploaded.status).toBe(201);
    const { id: attachmentId } = (await uploaded.json()) as { id: string };
    const customerApi = clientOf(system, customer);
    const agentApi = clientOf(system, agent);
    const path = { params: { path: { id: conversationId } } };
    expect(
      (
        await customerApi.POST('/v1/conversations/{id}/messages', {
          ...path,
          body: { body: 'Here is the receipt', attachments: [attachmentId] },
        })
      ).response.status,
    ).toBe(202);
    expect(
      (
        await agentApi.POST('/v1/conversations/{id}/notes', {
          ...path,
          body: { body: `Note ${markers.note}` },
        })
      ).response.status,
    ).toBe(202);
    const labelName = `label-${tag}`;
    const label = await answer(
      clientOf(system, TEST_ADMIN_TOKEN).POST('/v1/labels', {
        body: { name: labelName, colour: '#336699' },
        headers: { prefer: 'wait=10' },
      }),
    );
    expect(label.status).toBe(201);
    expect(
      (
        await agentApi.PUT('/v1/conversations/{id}/labels', {
          ...path,
          body: { labels: [label.body.id] },
          headers: { prefer: 'wait=10' },
        })
      ).response.status,
    ).toBe(200);
    expect(
      (
        await agentApi.POST('/v1/conversations/{id}/messages', {
          ...path,
          body: { body: `Reply ${markers.reply}` },
        })
      ).response.status,
    ).toBe(202);
    // The customer is away: the reply is emailed to them after the delay.
    await waitFor(`the email to ${email}`, async () =>
      catcher.to(email).some((mail) => mail.text?.includes(markers.reply)),
    );
    await waitFor(`the four entries of ${tag} in history`, async () => {
      const { data } = await agentApi.GET('/v1/conversations/{id}/messages', path);
      return data?.items.length === 4;
    });
    expect(
      (
        await agentApi.POST('/v1/conversations/{id}/status', {
          ...path,
          body: { status: 'resolved' },
          headers: { prefer: 'wait=10' },
        })
      ).response.status,
    ).toBe(200);
    expect(
      (
        await customerApi.POST('/v1/conversations/{id}/rating', {
          ...path,
          body: { score: 4, comment: `Rated ${markers.rating}` },
          headers: { prefer: 'wait=10' },
        })
      ).response.status,
    ).toBe(200);
    return { customer, email, conversationId, labelName, attachment, markers };
  }

  /** The export's status, once `ready`. */
  function ready(exportId: string, token: string, timeoutMs = 30_000): Promise<ExportStatus> {
    return waitFor(
      `export ${exportId} ready`,
      async () => {
        const res = await api(`/v1/exports/${exportId}`, token);
        const status = (await res.json()) as ExportStatus;
        return res.status === 200 && status.status === 'ready' ? status : undefined;
      },
      timeoutMs,
      250,
    );
  }

  async function archive(url: string): Promise<{ files: Map<string, Buffer>; document: ExportDocument }> {
    const res = await fetch(`${system.gatewayUrl}${url}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    const files = await unzip(Buffer.from(await res.arrayBuffer()));
    const json = files.get('export.json');
    expect(json).toBeDefined();
    return { files, document: JSON.parse(json?.toString('utf8') ?? '{}') as ExportDocument };
  }

  /** Everything of a customer someone else's archive must not hold. */
  const tracesOf = (seeded: Seeded) => [
    seeded.customer.id,
    seeded.email,
    seeded.conversationId,
    seeded.labelName,
    seeded.attachment.name,
    ...Object.values(seeded.markers),
  ];

  beforeAll(async () => {
    const port = await catcher.listen();
    system = await ParleySystem.start({
      PARLEY_SMTP_URL: `smtp://127.0.0.1:${port}`,
      PARLEY_MAIL_DEFAULT_NOTIFY_DELAY_SECONDS: '1',
      PARLEY_MAIL_POLL_INTERVAL_MS: '200',
      PARLEY_MAIL_FROM: 'notifications@test.example',
      PARLEY_EXPORT_URL_TTL_SECONDS: String(LINK_TTL_SECONDS),
    });
    browser = await launchChromium();
    agent = await newAgent(system, { name: 'Ann Agent' });
    [alice, bob] = await Promise.all([seed('Alice'), seed('Bob')]);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await system?.stop();
    await catcher.close();
  });

  it('puts messages, the note, the attachment, the rating and the email in the archive once each, and nothing of another customer', async () => {
    const started = await api(`/v1/customers/${alice.customer.id}/export`, TEST_ADMIN_TOKEN, {
      method: 'POST',
    });
    expect(started.status).toBe(202);
    const accepted = (await started.json()) as { id: string; status: string; statusUrl: string };
    expect(accepted).toEqual({ id: accepted.id, status: 'pending', statusUrl: `/v1/exports/${accepted.id}` });

    const status = await ready(accepted.id, TEST_ADMIN_TOKEN);
    expect(status).toMatchObject({
      customerId: alice.customer.id,
      parts: ['conversation', 'history', 'mail'],
    });
    expect(status.url).toMatch(new RegExp(`^/v1/exports/${accepted.id}/archive\\?token=`));
    const { files, document } = await archive(status.url ?? '');

    expect(document.exportId).toBe(accepted.id);
    expect(document.requestedBy).toEqual({ kind: 'admin', id: 'admin' });
    expect(document.customer).toMatchObject({
      id: alice.customer.id,
      email: alice.email,
      name: 'Customer Alice',
    });
    expect(document.conversations).toHaveLength(1);
    const [conversation] = document.conversations;
    expect(conversation).toMatchObject({
      id: alice.conversationId,
      status: 'resolved',
      labels: [alice.labelName],
      rating: { score: 4, comment: `Rated ${alice.markers.rating}` },
    });

    const messages = conversation.messages;
    expect(new Set(messages.map((m) => m.id)).size).toBe(messages.length);
    const having = (marker: string) => messages.filter((m) => m.body.includes(marker));
    expect(having(alice.markers.message)).toEqual([
      expect.objectContaining({ type: 'message', internal: false }),
    ]);
    expect(having(alice.markers.note)).toEqual([expect.objectContaining({ type: 'note', internal: true })]);
    expect(having(alice.markers.reply)).toEqual([
      expect.objectContaining({ type: 'message', internal: false }),
    ]);
    expect(messages.every((m) => Array.isArray(m.receipts))).toBe(true);

    const attachments = messages.flatMap((m) => m.attachments);
    expect(attachments).toEqual([
      expect.objectContaining({
        name: alice.attachment.name,
        size: alice.attachment.bytes.length,
        file: `attachments/${attachments[0]?.id}-${alice.attachment.name}`,
      }),
    ]);
    expect(new Set(files.keys())).toEqual(new Set(['export.json', attachments[0].file]));
    expect(files.get(attachments[0].file ?? '')).toEqual(alice.attachment.bytes);

    const emails = document.emails.filter((e) => e.text.includes(alice.markers.reply));
    expect(emails).toHaveLength(1);
    expect(emails[0].subject).toBeTruthy();

    // Raw: each marker that only one item carries is in the whole archive once.
    const everything = [...files.entries()]
      .map(([name, bytes]) => `${name}\n${bytes.toString('utf8')}`)
      .join('\n');
    for (const marker of [
      alice.markers.message,
      alice.markers.note,
      alice.markers.rating,
      alice.markers.attachment,
    ])
      expect(occurrences(everything, marker)).toBe(1);
    for (const trace of tracesOf(bob)) expect(everything).not.toContain(trace);
  });

  it('answers the archive through a signed link that stops working once it expires, and only to whom it belongs', async () => {
    const started = await api('/v1/me/export', bob.customer.token, { method: 'POST' });
    expect(started.status).toBe(202);
    const { id } = (await started.json()) as { id: string };
    const { url = '' } = await ready(id, bob.customer.token);

    // Someone else's export, or none, is not found; an agent may not ask.
    for (const [token, exportId] of [
      [alice.customer.token, id],
      [TEST_ADMIN_TOKEN, 'no-such-export'],
    ]) {
      const res = await api(`/v1/exports/${exportId}`, token);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    expect((await api(`/v1/exports/${id}`, agent.token)).status).toBe(403);
    expect(
      (await api('/v1/customers/no-such-customer/export', TEST_ADMIN_TOKEN, { method: 'POST' })).status,
    ).toBe(404);

    const token = new URL(url, system.gatewayUrl).searchParams.get('token') ?? '';
    const [body, kid, mac] = token.split('.');
    const altered = `${body}.${kid}.${mac.startsWith('A') ? 'B' : 'A'}${mac.slice(1)}`;
    const refused = await fetch(`${system.gatewayUrl}/v1/exports/${id}/archive?token=${altered}`);
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const elsewhere = await fetch(`${system.gatewayUrl}/v1/exports/another-export/archive?token=${token}`);
    expect(elsewhere.status).toBe(403);

    const expired = await waitFor(
      'the link to expire',
      async () => {
        const res = await fetch(`${system.gatewayUrl}${url}`);
        await res.arrayBuffer();
        return res.status === 401 ? res : undefined;
      },
      (LINK_TTL_SECONDS + 10) * 1000,
      500,
    );
    expect(expired.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    // A fresh link from the status resource works again.
    const fresh = await ready(id, bob.customer.token);
    expect((await archive(fresh.url ?? '')).document.customer?.id).toBe(bob.customer.id);
  });

  it('completes an export asked for while history is stopped once history is back, with what came meanwhile', async () => {
    expect(await system.services.history.stop('SIGTERM')).toBe(0);
    const late = `Late ${randomUUID()}`;
    let exportId: string;
    try {
      // A message history has not stored when the export is asked for: the export waits for it.
      const posted = await api(`/v1/conversations/${alice.conversationId}/messages`, alice.customer.token, {
        method: 'POST',
        headers: { 'content-type': 'application/json', prefer: 'wait=10' },
        body: JSON.stringify({ body: late }),
      });
      expect(posted.status).toBe(201);
      const started = await api('/v1/me/export', alice.customer.token, { method: 'POST' });
      expect(started.status).toBe(202);
      exportId = ((await started.json()) as { id: string }).id;
      const pending = await waitFor('the conversation and mail parts', async () => {
        const res = await api(`/v1/exports/${exportId}`, alice.customer.token);
        const status = (await res.json()) as ExportStatus;
        return status.parts?.length === 2 ? status : undefined;
      });
      expect(pending).toMatchObject({ status: 'pending', parts: ['conversation', 'mail'] });
      expect(pending.url).toBeUndefined();
    } finally {
      await system.services.history.start();
    }
    const status = await ready(exportId, alice.customer.token, 60_000);
    const { document } = await archive(status.url ?? '');
    expect(document.requestedBy).toEqual({ kind: 'customer', id: alice.customer.id });
    const bodies = document.conversations.flatMap((c) => c.messages.map((m) => m.body));
    expect(bodies.filter((b) => b.includes(alice.markers.message))).toHaveLength(1);
    expect(bodies.filter((b) => b.includes(alice.markers.note))).toHaveLength(1);
    expect(bodies.filter((b) => b === late)).toHaveLength(1);
  }, 120_000);

  it('in Chromium: a customer downloads their conversations from the widget', async () => {
    const context = await browser.newContext({ acceptDownloads: true });
    try {
      const widget = await context.newPage();
      await widget.goto(`${system.gatewayUrl}/widget/#token=${bob.customer.token}`);
      await widget
        .getByText(`Reply ${bob.markers.reply}`)
        .waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
      await widget.getByRole('button', { name: 'Download my conversations' }).click();
      const save = widget.getByRole('button', { name: 'Save my conversations (zip)' });
      await save.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
      const [download] = await Promise.all([widget.waitForEvent('download'), save.click()]);
      const files = await unzip(await readFile((await download.path()) ?? ''));
      const document = JSON.parse(files.get('export.json')?.toString('utf8') ?? '{}') as ExportDocument;
      expect(document.customer?.id).toBe(bob.customer.id);
      const bodies = document.conversations.flatMap((c) => c.messages.map((m) => m.body));
      expect(bodies).toEqual(
        expect.arrayContaining([
          `My parcel ${bob.markers.message} arrived broken`,
          `Reply ${bob.markers.reply}`,
        ]),
      );
      const everything = [...files.values()].map((bytes) => bytes.toString('utf8')).join('\n');
      for (const trace of tracesOf(alice)) expect(everything).not.toContain(trace);
    } finally {
      await context.close();
    }
  }, 90_000);
});
