import { createHash } from 'node:crypto';
import { Browser, Locator } from 'playwright-core';
import { CHROMIUM, ParleySystem, requirePrerequisite, waitFor } from '@parley/testing';
import { Actor, answer, clientOf, newCustomer, newSignedUpAgent, openConversation } from './support/actors';
import { startSystemAndBrowser } from './support/browser';

requirePrerequisite(CHROMIUM);
const UI_TIMEOUT_MS = 15_000;
const PASSWORD = 'correct horse battery staple';
/** A 1×1 red PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==',
  'base64',
);
/** The start of a 64-bit ELF executable, then code-like bytes: what `file-type` calls application/x-elf. */
const ELF = Buffer.concat([
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]),
  Buffer.alloc(8),
  Buffer.from([0x02, 0x00, 0x3e, 0x00, 0x01, 0x00, 0x00, 0x00]),
  Buffer.alloc(2048, 0x90),
]);
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

interface Uploaded {
  id: string;
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  url: string;
}

/**
 * Issue 25's attachments, against the whole system: a customer attaches a photo in the widget and
 * the agent sees it in the console and downloads the very bytes; an executable dressed as a PNG is
 * refused; download links expire; and an upload made while the conversation service is down is
 * kept and reaches the conversation once it is back.
 */
describe('attachments', () => {
  let system: ParleySystem;
  let browser: Browser;
  const visible = (locator: Locator) => locator.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });

  /** An upload as any client sends it: the file as the body, its name in the query. */
  const upload = (
    who: Actor,
    conversationId: string,
    name: string,
    bytes: Buffer,
    options: { key?: string; baseUrl?: string; contentType?: string } = {},
  ) =>
    fetch(
      `${options.baseUrl ?? system.gatewayUrl}/v1/conversations/${conversationId}/attachments?name=${encodeURIComponent(name)}`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${who.token}`,
          'content-type': options.contentType ?? 'image/png',
          ...(options.key && { 'idempotency-key': options.key }),
        },
        body: bytes,
      },
    );

  const download = (url: string, baseUrl = system.gatewayUrl) => fetch(`${baseUrl}${url}`);

  const messages = async (who: Actor, conversationId: string) => {
    const page = await answer(
      clientOf(system, who).GET('/v1/conversations/{id}/messages', {
        params: { path: { id: conversationId } },
      }),
    );
    expect(page.status).toBe(200);
    return page.body.items;
  };

  beforeAll(async () => {
    ({ system, browser } = await startSystemAndBrowser());
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await system?.stop();
  });

  it('in Chromium: a customer attaches a PNG in the widget; the agent sees its preview in the console and downloads the same bytes', async () => {
    await newSignedUpAgent(system, { name: 'Ada Files', email: 'ada.files@example.com', password: PASSWORD });
    const customer = await newCustomer(system);
    const { id } = await openConversation(system, customer, { body: 'My parcel arrived broken' });

    const context = await browser.newContext();
    try {
      const widget = await context.newPage();
      await widget.goto(`${system.gatewayUrl}/widget/#token=${customer.token}`);
      await visible(widget.getByText('My parcel arrived broken'));
      await widget.getByTestId('attach-input').setInputFiles({
        name: 'broken-parcel.png',
        mimeType: 'image/png',
        buffer: PNG,
      });
      const chip = widget.getByRole('list', { name: 'Attachments' }).getByRole('listitem');
      await visible(chip.filter({ hasText: `broken-parcel.png${PNG.length} B` }));
      await widget.getByRole('textbox', { name: 'Message', exact: true }).fill('Here is a photo');
      await widget.getByRole('button', { name: 'Send', exact: true }).click();

      const stored = await waitFor('the message with its attachment in history', async () =>
        (await messages(customer, id)).find((m) => m.body === 'Here is a photo' && m.attachments?.length),
      );
      expect(stored.attachments).toEqual([
        expect.objectContaining({ name: 'broken-parcel.png', contentType: 'image/png', size: PNG.length }),
      ]);

      const console = await context.newPage();
      await console.goto(`${system.gatewayUrl}/console/conversations/${id}`);
      await console.getByLabel('Email').fill('ada.files@example.com');
      await console.getByLabel('Password').fill(PASSWORD);
      await console.getByRole('button', { name: 'Sign in' }).click();
      const preview = console
        .getByRole('log', { name: 'Messages' })
        .getByRole('img', { name: 'broken-parcel.png' });
      await visible(preview);
      // Shown, not merely present: the browser loaded it through the signed link, without a bearer.
      await waitFor('the preview to load', () =>
        preview.evaluate((img) => {
          const shown = img as unknown as { complete: boolean; naturalWidth: number };
          return shown.complete && shown.naturalWidth === 1;
        }),
      );
      const src = await preview.getAttribute('src');
      expect(src).toMatch(/^\/v1\/attachments\/[\w-]+\?token=/);

      const res = await download(src ?? '');
      expect(res.status).toBe(200);
      expect(sha256(Buffer.from(await res.arrayBuffer()))).toBe(sha256(PNG));
      expect(res.headers.get('content-type')).toBe('image/png');
      expect(res.headers.get('content-disposition')).toBe("inline; filename*=UTF-8''broken-parcel.png");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toMatch(/^default-src 'none'/);
    } finally {
      await context.close();
    }
  }, 90_000);

  it('refuses a file named .png that is really an executable with 422, naming what it is', async () => {
    const customer = await newCustomer(system);
    const { id } = await openConversation(system, customer);

    const res = await upload(customer, id, 'holiday.png', ELF);

    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await res.json()).toMatchObject({
      status: 422,
      detail: expect.stringContaining('application/x-elf'),
    });

    // Plain text passes, served as a download rather than shown.
    const text = await upload(
      customer,
      id,
      'order.txt',
      Buffer.from('Order 1234: two plates, one broken.\n'),
      {
        contentType: 'text/html',
      },
    );
    expect(text.status).toBe(201);
    const note = (await text.json()) as Uploaded;
    expect(note.contentType).toBe('text/plain');
    const got = await download(note.url);
    expect(got.headers.get('content-type')).toBe('text/plain');
    expect(got.headers.get('content-disposition')).toBe("attachment; filename*=UTF-8''order.txt");
  }, 60_000);

  it('stops serving a signed link once it expires, and never one that was altered', async () => {
    const brief = await system.startReplica('gateway', { PARLEY_ATTACHMENT_URL_TTL_SECONDS: '3' });
    const customer = await newCustomer(system);
    const { id } = await openConversation(system, customer);
    const res = await upload(customer, id, 'receipt.png', PNG, { baseUrl: brief.url });
    expect(res.status).toBe(201);
    const { url } = (await res.json()) as Uploaded;

    expect((await download(url, brief.url)).status).toBe(200);
    const [path, token] = url.split('?token=');
    const altered = await download(`${path}?token=${token.slice(0, -3)}AAA`);
    expect(altered.status).toBe(403);
    expect(altered.headers.get('content-type')).toMatch(/^application\/problem\+json/);

    await new Promise((resolve) => setTimeout(resolve, 4_500));
    // Every gateway holds the same key ring: expired is expired everywhere.
    for (const baseUrl of [brief.url, system.gatewayUrl]) {
      const expired = await download(url, baseUrl);
      expect(expired.status).toBe(401);
      expect(await expired.json()).toMatchObject({ status: 401, detail: expect.stringMatching(/expired/) });
    }
  }, 60_000);

  it('takes an upload and its message while the conversation service is stopped, and the message appears with it once it is back', async () => {
    const customer = await newCustomer(system);
    const { id } = await openConversation(system, customer);
    expect(await system.services.conversation.stop('SIGTERM')).toBe(0);
    try {
      const first = await upload(customer, id, 'waybill-scan.png', PNG, { key: 'label-upload-1' });
      expect(first.status).toBe(201);
      const uploaded = (await first.json()) as Uploaded;
      expect(uploaded).toMatchObject({
        name: 'waybill-scan.png',
        contentType: 'image/png',
        size: PNG.length,
      });
      expect(uploaded.sha256).toBe(sha256(PNG));
      // A client retrying the upload with its key gets the same attachment, not a second one.
      const retried = await upload(customer, id, 'waybill-scan.png', PNG, { key: 'label-upload-1' });
      expect(retried.status).toBe(201);
      expect(((await retried.json()) as Uploaded).id).toBe(uploaded.id);

      const posted = await answer(
        clientOf(system, customer).POST('/v1/conversations/{id}/messages', {
          params: { path: { id } },
          body: { body: 'The shipping label', attachments: [uploaded.id] },
        }),
      );
      expect(posted.status).toBe(202);
    } finally {
      await system.services.conversation.start();
    }

    const stored = await waitFor('the message with its attachment in history', async () =>
      (await messages(customer, id)).find((m) => m.body === 'The shipping label'),
    );
    expect(stored.attachments).toEqual([
      expect.objectContaining({ name: 'waybill-scan.png', contentType: 'image/png', size: PNG.length }),
    ]);
    const bytes = await download(stored.attachments?.[0].url ?? '');
    expect(sha256(Buffer.from(await bytes.arrayBuffer()))).toBe(sha256(PNG));

    // Its file name is searchable (the body does not say waybill).
    const found = await answer(
      clientOf(system, customer).GET('/v1/search', { params: { query: { q: 'waybill' } } }),
    );
    expect(found.body.items.map((hit) => hit.messageId)).toContain(stored.id);
  }, 90_000);
});
