import { jetstreamManager, JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { StreamNames } from '@parley/contracts';
import { LinkSigner } from '@parley/secrets';
import {
  backlogOf,
  freePort,
  ParleySystem,
  TEST_ADMIN_TOKEN,
  TEST_SECRET_KEY,
  waitFor,
} from '@parley/testing';
import { createTransport, Transporter } from 'nodemailer';
import {
  Actor,
  answer,
  clientOf,
  newAgent,
  newSignedUpAgent,
  openConversation,
  setPresence,
} from './support/actors';
import { launchChromium } from './support/browser';
import { MailCatcher } from './support/mail-catcher';

const REPLY_DOMAIN = 'reply.parley.test';
const WEBHOOK_USER = 'postmark';
const WEBHOOK_PASSWORD = 'inbound-webhook-password-0123456789';
/** Past it, JetStream no longer drops a repeated Nats-Msg-Id: only the mail service's record does. */
const DUPLICATE_WINDOW_SECONDS = 1;
const PAST_THE_WINDOW_MS = DUPLICATE_WINDOW_SECONDS * 1000 + 1500;

/**
 * The reply address a notification of the conversation carries, as apps/mail/src/reply-address.ts
 * writes it (an e2e spec imports libraries, not apps): the HMAC tag under the system's key ring.
 */
function replyAddressOf(conversationId: string): string {
  const tag = LinkSigner.fromKeyRing(TEST_SECRET_KEY).tag('mail reply address', conversationId, 20);
  return `reply+${conversationId}.${tag}@${REPLY_DOMAIN}`;
}

/** A reply as Gmail writes it: the new text above the quoted notification, CRLF line ends. */
function gmailReply(o: { messageId: string; from: string; to: string; text: string }): string {
  return [
    `From: Bob Customer <${o.from}>`,
    `To: "Ada (Acme Support)" <${o.to}>`,
    'Subject: Re: Your conversation with Acme Support',
    'Date: Mon, 07 Dec 2026 10:05:00 +0000',
    `Message-ID: <${o.messageId}>`,
    'In-Reply-To: <notification-1@parley.test>',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset="UTF-8"',
    '',
    o.text,
    '',
    'On Mon, Dec 7, 2026 at 10:02 AM Ada (Acme Support) <',
    `${o.to}> wrote:`,
    '',
    '> Hi Bob, could you try restarting the router?',
    '>',
    '> Ada',
    '',
  ].join('\r\n');
}

type Item = { id: string; authorId: string; authorRole: string; body: string; via: string };

describe('replies by email', () => {
  let system: ParleySystem;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let smtp: Transporter;
  /** Where the mail process sends its notifications. */
  const outbox = new MailCatcher();
  let agent: Actor;
  let customer: Actor;
  const customerEmail = 'bob@example.com';

  const messagesOf = async (conversationId: string): Promise<Item[]> => {
    const res = await answer(
      clientOf(system, agent).GET('/v1/conversations/{id}/messages', {
        params: { path: { id: conversationId }, query: { limit: 200 } },
      }),
    );
    if (res.status !== 200) throw new Error(`messages: ${res.status}`);
    return res.body.items as Item[];
  };
  const byEmail = async (conversationId: string) =>
    (await messagesOf(conversationId)).filter((m) => m.via === 'email');

  /** Every ReceiveMail handled, and every message it posted stored. */
  const settled = () =>
    waitFor('the mail and conversation services to have handled everything', async () => {
      const [mail, conversation] = await Promise.all([
        backlogOf(jsm, StreamNames.commands, 'mail-commands'),
        backlogOf(jsm, StreamNames.commands, 'conversation'),
      ]);
      return mail.pending + mail.ackPending + conversation.pending + conversation.ackPending === 0;
    });

  const unmatched = async () => {
    const res = await answer(
      clientOf(system, TEST_ADMIN_TOKEN).GET('/v1/mail/unmatched', { params: { query: { limit: 200 } } }),
    );
    if (res.status !== 200) throw new Error(`unmatched: ${res.status}`);
    return res.body.items;
  };

  const postmark = (payload: object, credentials = `${WEBHOOK_USER}:${WEBHOOK_PASSWORD}`) =>
    fetch(`${system.gatewayUrl}/v1/mail/inbound/postmark`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(credentials).toString('base64')}`,
      },
      body: JSON.stringify(payload),
    });

  const newConversation = async () =>
    (await openConversation(system, customer, { body: 'My router is down' })).id;

  beforeAll(async () => {
    const smtpPort = await freePort();
    const outboxPort = await outbox.listen();
    system = await ParleySystem.start(
      {
        PARLEY_MAIL_REPLY_DOMAIN: REPLY_DOMAIN,
        PARLEY_SMTP_URL: `smtp://127.0.0.1:${outboxPort}`,
        PARLEY_MAIL_DEFAULT_NOTIFY_DELAY_SECONDS: '1',
        PARLEY_MAIL_POLL_INTERVAL_MS: '200',
        PARLEY_DUPLICATE_WINDOW_SECONDS: String(DUPLICATE_WINDOW_SECONDS),
      },
      {
        serviceEnv: {
          mail: { PARLEY_MAIL_SMTP_PORT: String(smtpPort) },
          gateway: { PARLEY_MAIL_INBOUND_WEBHOOK_SECRET: `${WEBHOOK_USER}:${WEBHOOK_PASSWORD}` },
        },
      },
    );
    nc = await connect({ servers: system.nats.url });
    jsm = await jetstreamManager(nc);
    smtp = createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true });
    agent = await newAgent(system);
    await setPresence(system, agent, 'online');
    const created = await answer(
      clientOf(system, TEST_ADMIN_TOKEN).POST('/v1/customers', {
        body: { externalId: 'crm-bob', name: 'Bob Customer', email: customerEmail },
      }),
    );
    if (created.status !== 202) throw new Error(`customer: ${created.status}`);
    customer = created.body;
  }, 120_000);

  afterAll(async () => {
    smtp?.close();
    await nc?.close();
    await system?.stop();
    await outbox.close();
  });

  it('adds exactly the new text of a reply over SMTP as the customer’s message by email, once however often it is delivered', async () => {
    const conversationId = await newConversation();
    const to = replyAddressOf(conversationId);
    const raw = gmailReply({
      messageId: 'CAF-reply-1@mail.gmail.com',
      from: customerEmail,
      to,
      text: 'Thanks, restarting fixed it!',
    });
    const deliver = () => smtp.sendMail({ envelope: { from: customerEmail, to: [to] }, raw });

    const first = await deliver();
    expect(first.response).toMatch(/^250/);
    await deliver();
    const [reply] = await waitFor('the reply in the conversation', async () => {
      const found = await byEmail(conversationId);
      return found.length ? found : undefined;
    });
    expect(reply).toMatchObject({
      authorId: customer.id,
      authorRole: 'customer',
      body: 'Thanks, restarting fixed it!',
      via: 'email',
    });

    // The same email again once JetStream forgot its Nats-Msg-Id: the mail service's record knows it.
    await new Promise((r) => setTimeout(r, PAST_THE_WINDOW_MS));
    await deliver();
    await settled();
    expect(await byEmail(conversationId)).toHaveLength(1);
  });

  it("threads a reply to the customer's notification email back into the conversation, once", async () => {
    const conversationId = await newConversation();
    const answered = await answer(
      clientOf(system, agent).POST('/v1/conversations/{id}/messages', {
        params: { path: { id: conversationId } },
        body: { body: 'Could you try restarting the router?' },
      }),
    );
    expect(answered.status).toBe(202);
    const notification = await waitFor(
      'the notification of the unread reply',
      async () =>
        outbox.to(customerEmail).find((m) => m.text?.includes('Could you try restarting the router?')),
      20_000,
    );
    const to = notification.replyTo?.value[0].address ?? '';
    expect(to).toMatch(
      new RegExp(`^reply\\+${conversationId}\\.[0-9a-f]{20}@${REPLY_DOMAIN.replace(/\./g, '\\.')}$`),
    );

    // The customer's mail client quotes the notification under the answer.
    const quoted = (notification.text ?? '').split('\n').map((line) => `> ${line}`);
    const raw = [
      `From: Bob Customer <${customerEmail}>`,
      `To: ${to}`,
      `Subject: Re: ${notification.subject ?? ''}`,
      'Date: Mon, 07 Dec 2026 10:07:00 +0000',
      'Message-ID: <CAF-notification-reply@mail.gmail.com>',
      `In-Reply-To: ${notification.messageId ?? ''}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset="UTF-8"',
      '',
      'Done, and it works now. Thank you!',
      '',
      `On Mon, Dec 7, 2026 at 10:06 AM ${notification.from?.value[0].name ?? ''} <${to}> wrote:`,
      ...quoted,
      '',
    ].join('\r\n');
    await smtp.sendMail({ envelope: { from: customerEmail, to: [to] }, raw });
    await smtp.sendMail({ envelope: { from: customerEmail, to: [to] }, raw });

    const [reply] = await waitFor('the emailed answer in the conversation', async () => {
      const found = await byEmail(conversationId);
      return found.length ? found : undefined;
    });
    expect(reply).toMatchObject({
      authorId: customer.id,
      body: 'Done, and it works now. Thank you!',
      via: 'email',
    });
    await settled();
    expect(await byEmail(conversationId)).toHaveLength(1);
  });

  it("keeps a reply from an address other than the customer's as unmatched", async () => {
    const conversationId = await newConversation();
    const to = replyAddressOf(conversationId);
    const raw = gmailReply({
      messageId: 'CAF-forwarded-1@mail.example.org',
      from: 'someone.else@example.org',
      to,
      text: 'I got this forwarded; close the account please.',
    });

    await smtp.sendMail({ envelope: { from: 'someone.else@example.org', to: [to] }, raw });

    const listed = await waitFor('the email listed as unmatched', async () =>
      (await unmatched()).find((m) => m.messageId === 'CAF-forwarded-1@mail.example.org'),
    );
    expect(listed).toMatchObject({ reason: 'sender-not-customer', from: 'someone.else@example.org' });
    await settled();
    expect(await messagesOf(conversationId)).toHaveLength(1);
  });

  it('shows the console agent a reply that came by email marked "by email", in Chromium', async () => {
    const conversationId = await newConversation();
    const to = replyAddressOf(conversationId);
    const raw = gmailReply({
      messageId: 'CAF-reply-console@mail.gmail.com',
      from: customerEmail,
      to,
      text: 'Replying from my phone.',
    });
    await smtp.sendMail({ envelope: { from: customerEmail, to: [to] }, raw });
    await waitFor('the reply in the conversation', async () => (await byEmail(conversationId)).length > 0);
    const ada = { name: 'Ada Lovelace', email: 'ada@acme.example', password: 'correct horse battery staple' };
    await newSignedUpAgent(system, ada);

    const browser = await launchChromium();
    try {
      const console = await browser.newPage();
      await console.goto(`${system.gatewayUrl}/console/`);
      await console.getByLabel('Email').fill(ada.email);
      await console.getByLabel('Password').fill(ada.password);
      await console.getByRole('button', { name: 'Sign in' }).click();
      await console.getByText('Ada Lovelace').first().waitFor({ timeout: 15_000 });
      await console.goto(`${system.gatewayUrl}/console/conversations/${conversationId}`);
      const messages = console.getByRole('log', { name: 'Messages' });
      const emailed = messages.getByRole('listitem').filter({ hasText: 'Replying from my phone.' });
      await emailed.waitFor({ timeout: 15_000 });
      await expect(emailed.getByText('by email', { exact: true }).isVisible()).resolves.toBe(true);
      const opening = messages.getByRole('listitem').filter({ hasText: 'My router is down' });
      await expect(opening.getByText('by email', { exact: true }).count()).resolves.toBe(0);
    } finally {
      await browser.close();
    }
  });

  it('refuses a message that claims through the API to have come by email', async () => {
    const conversationId = await newConversation();
    // Raw on purpose: the typed client's request type has no via.
    const res = await system.api('POST', `/v1/conversations/${conversationId}/messages`, {
      token: customer.token,
      body: { body: 'Sent from the widget', via: 'email' },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain('via');
  });

  it('refuses mail for any other domain at RCPT', async () => {
    await expect(
      smtp.sendMail({
        envelope: { from: customerEmail, to: ['someone@example.com'] },
        raw: 'Subject: hi\r\n\r\nhi',
      }),
    ).rejects.toMatchObject({ responseCode: 550 });
  });

  it('creates nothing for a forged reply address, and lists the email for the admin', async () => {
    const conversationId = await newConversation();
    const genuine = replyAddressOf(conversationId);
    const forged = genuine.replace(
      /\.([0-9a-f])([0-9a-f]{19})@/,
      (_, d: string, rest: string) => `.${d === '0' ? '1' : '0'}${rest}@`,
    );
    expect(forged).not.toBe(genuine);
    const raw = gmailReply({
      messageId: 'CAF-forged-1@mail.example.net',
      from: customerEmail,
      to: forged,
      text: 'Please send the refund to my new account.',
    });

    const sent = await smtp.sendMail({ envelope: { from: customerEmail, to: [forged] }, raw });
    expect(sent.response).toMatch(/^250/);

    const listed = await waitFor('the forged email listed as unmatched', async () =>
      (await unmatched()).find((m) => m.messageId === 'CAF-forged-1@mail.example.net'),
    );
    expect(listed).toMatchObject({
      from: customerEmail,
      to: [forged],
      reason: 'forged-address',
      subject: 'Re: Your conversation with Acme Support',
      source: 'smtp',
    });
    expect(listed.excerpt).toContain('Please send the refund');
    await settled();
    expect(await messagesOf(conversationId)).toHaveLength(1);
  });

  describe("through Postmark's inbound webhook", () => {
    const payloadFor = (conversationId: string, messageId: string) => ({
      MessageID: '7c2a0f4e-1b3d-4c5e-8f9a-0b1c2d3e4f5a',
      From: customerEmail,
      FromName: 'Bob Customer',
      FromFull: { Email: customerEmail, Name: 'Bob Customer', MailboxHash: '' },
      To: replyAddressOf(conversationId),
      ToFull: [{ Email: replyAddressOf(conversationId), Name: 'Ada (Acme Support)', MailboxHash: '' }],
      Cc: '',
      CcFull: [],
      OriginalRecipient: replyAddressOf(conversationId),
      Subject: 'Re: Your conversation with Acme Support',
      Date: 'Mon, 7 Dec 2026 10:05:00 +0000',
      MailboxHash: '',
      TextBody:
        'It works again, thank you.\r\n\r\n-----Original Message-----\r\nFrom: Ada (Acme Support)\r\nSent: Monday, December 7, 2026 10:02 AM\r\n\r\nHi Bob, could you try restarting the router?',
      HtmlBody: '<p>It works again, thank you.</p>',
      StrippedTextReply: 'It works again, thank you.',
      Tag: '',
      Headers: [
        { Name: 'Message-ID', Value: `<${messageId}>` },
        { Name: 'X-Spam-Status', Value: 'No' },
      ],
      Attachments: [],
    });

    it('refuses wrong or missing credentials with 401', async () => {
      const conversationId = await newConversation();
      const payload = payloadFor(conversationId, 'outlook-wrong-credentials@example.com');
      expect((await postmark(payload, `${WEBHOOK_USER}:not-the-password-0123456789`)).status).toBe(401);
      const bare = await fetch(`${system.gatewayUrl}/v1/mail/inbound/postmark`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload),
      });
      expect(bare.status).toBe(401);
      expect(bare.headers.get('www-authenticate')).toMatch(/^Basic/);
      await settled();
      expect(await messagesOf(conversationId)).toHaveLength(1);
    });

    it('adds the new text of the reply once, however often Postmark posts it', async () => {
      const conversationId = await newConversation();
      const payload = payloadFor(conversationId, 'outlook-reply-1@example.com');

      const first = await postmark(payload);
      expect(first.status).toBe(200);
      expect((await postmark(payload)).status).toBe(200);
      const [reply] = await waitFor('the reply in the conversation', async () => {
        const found = await byEmail(conversationId);
        return found.length ? found : undefined;
      });
      expect(reply).toMatchObject({
        authorId: customer.id,
        body: 'It works again, thank you.',
        via: 'email',
      });

      await new Promise((r) => setTimeout(r, PAST_THE_WINDOW_MS));
      expect((await postmark(payload)).status).toBe(200);
      await settled();
      expect(await byEmail(conversationId)).toHaveLength(1);
    });

    it('keeps a forged reply address as unmatched', async () => {
      const conversationId = await newConversation();
      const payload = payloadFor(conversationId, 'postmark-forged-1@example.net');
      const forged = `reply+${conversationId}.00000000000000000000@${REPLY_DOMAIN}`;
      Object.assign(payload, { OriginalRecipient: forged, ToFull: [{ Email: forged, Name: '' }] });

      expect((await postmark(payload)).status).toBe(200);
      const listed = await waitFor('the forged email listed as unmatched', async () =>
        (await unmatched()).find((m) => m.messageId === 'postmark-forged-1@example.net'),
      );
      expect(listed).toMatchObject({ reason: 'forged-address', source: 'postmark' });
      await settled();
      expect(await messagesOf(conversationId)).toHaveLength(1);
    });
  });
});
