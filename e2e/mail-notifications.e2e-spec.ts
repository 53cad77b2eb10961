// Customers who are away hear about their agents' replies by email, against a real SMTP server
// (smtp-server) that this test runs: one email after the delay with every unread reply, nothing
// once read or unsubscribed, and never the same email twice when the mail process is killed the
// instant the server has taken a message.
import { ParsedMail } from 'mailparser';
import { Client } from 'pg';
import { LinkSigner } from '@parley/secrets';
import { ParleySystem, TEST_ADMIN_TOKEN, TEST_SECRET_KEY, waitFor } from '@parley/testing';
import {
  Actor,
  answer,
  clientOf,
  eventuallyConversation,
  newAgent,
  openConversation,
  setPresence,
} from './support/actors';
import { MailCatcher } from './support/mail-catcher';

const DELAY_SECONDS = 2;
const REPLY_DOMAIN = 'reply.test.example';
const DIGEST_INTERVAL_SECONDS = 2;

/** A header as it was written (mailparser reshapes the List-* ones). */
function header(mail: ParsedMail, name: string): string | undefined {
  const line = mail.headerLines.find((h) => h.key === name.toLowerCase())?.line;
  return line?.slice(line.indexOf(':') + 1).trim();
}

/** The URL of the List-Unsubscribe header, `<url>`. */
function unsubscribeUrl(mail: ParsedMail): string {
  return /^<([^>]+)>$/.exec(header(mail, 'List-Unsubscribe') ?? '')?.[1] ?? '';
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

describe('email notifications for customers who are away', () => {
  const catcher = new MailCatcher();
  let system: ParleySystem;
  let agent: Actor;
  let serial = 0;

  beforeAll(async () => {
    const port = await catcher.listen();
    system = await ParleySystem.start({
      PARLEY_SMTP_URL: `smtp://127.0.0.1:${port}`,
      PARLEY_MAIL_DEFAULT_NOTIFY_DELAY_SECONDS: String(DELAY_SECONDS),
      PARLEY_MAIL_POLL_INTERVAL_MS: '200',
      PARLEY_MAIL_REPLY_DOMAIN: REPLY_DOMAIN,
      PARLEY_MAIL_FROM: 'notifications@test.example',
      PARLEY_MAIL_AGENT_DIGEST_INTERVAL_SECONDS: String(DIGEST_INTERVAL_SECONDS),
      PARLEY_MAIL_QUEUE_THRESHOLD_SECONDS: '1',
    });
    agent = await newAgent(system, { name: 'Ann Agent' });
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
    await catcher.close();
  });

  /** A customer with an email address, in a conversation of their own. */
  async function customerInConversation(subject?: string): Promise<{
    customer: Actor;
    email: string;
    conversationId: string;
  }> {
    serial += 1;
    const email = `customer${serial}@test.example`;
    const created = await answer(
      clientOf(system, TEST_ADMIN_TOKEN).POST('/v1/customers', {
        body: { externalId: `mail-${serial}`, name: `Customer ${serial}`, email },
      }),
    );
    expect(created.status).toBe(202);
    const customer = created.body as Actor;
    const { id } = await openConversation(system, customer, { subject, body: 'Where is my order?' });
    return { customer, email, conversationId: id };
  }

  /** The agent's reply, once stored: its seq. */
  async function reply(conversationId: string, body: string): Promise<number> {
    const sent = await answer(
      clientOf(system, agent).POST('/v1/conversations/{id}/messages', {
        params: { path: { id: conversationId } },
        body: { body },
      }),
    );
    expect(sent.status).toBe(202);
    return waitFor(`reply "${body}" stored`, async () => {
      const { data } = await clientOf(system, agent).GET('/v1/messages/{id}', {
        params: { path: { id: sent.body.id } },
      });
      return data?.status === 'stored' && data.seq !== null ? data.seq : undefined;
    });
  }

  /** Long enough after the delay for a notification to have been sent, were one due. */
  const pastTheDelay = () => sleep(DELAY_SECONDS * 1000 + 2_500);

  it('emails one notification with both unread replies after the delay, escaped, with unsubscribe and reply address', async () => {
    const { email, conversationId } = await customerInConversation();
    await reply(conversationId, 'Your order <b>ships</b> today & arrives soon.');
    await reply(conversationId, 'Tracking: "PX-42"\nSee you!');

    const [mail] = await waitFor('the notification', async () => {
      const got = catcher.to(email);
      return got.length ? got : undefined;
    });
    await pastTheDelay();
    expect(catcher.to(email)).toHaveLength(1);

    expect(mail.text).toContain('Your order <b>ships</b> today & arrives soon.');
    expect(mail.text).toContain('Tracking: "PX-42"\nSee you!');
    expect(mail.text).toContain('Ann Agent wrote:');
    expect(mail.html).toContain('Your order &lt;b&gt;ships&lt;/b&gt; today &amp; arrives soon.');
    expect(mail.html).toContain('Tracking: &quot;PX-42&quot;');
    expect(mail.html).not.toContain('<b>ships</b>');
    expect(mail.text).toContain(`/widget/?conversation=${conversationId}`);
    expect(mail.from?.value[0]).toEqual({
      name: 'Ann Agent (Parley)',
      address: 'notifications@test.example',
    });
    expect(mail.messageId).toMatch(new RegExp(`^<notification-${conversationId}-\\d+@${REPLY_DOMAIN}>$`));

    // RFC 8058: a one-click POST target, and the header that says so.
    expect(header(mail, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(unsubscribeUrl(mail)).toMatch(/^http:\/\/localhost:3000\/v1\/mail\/unsubscribe\?token=[\w.-]+$/);

    // The reply address names the conversation under a tag only the key ring makes.
    const replyTo = mail.replyTo?.value[0].address ?? '';
    const match = new RegExp(`^reply\\+(.+)\\.([0-9a-f]{20})@${REPLY_DOMAIN}$`).exec(replyTo);
    expect(match?.[1]).toBe(conversationId);
    expect(
      LinkSigner.fromKeyRing(TEST_SECRET_KEY).verifyTag(
        'mail reply address',
        conversationId,
        match?.[2] ?? '',
      ),
    ).toBe(true);

    // A later reply is a notification of its own, threaded under the first.
    await reply(conversationId, 'One more thing.');
    const [, second] = await waitFor('the second notification', async () => {
      const got = catcher.to(email);
      return got.length === 2 ? got : undefined;
    });
    expect(second.text).toContain('One more thing.');
    expect(second.text).not.toContain('Tracking');
    expect(second.inReplyTo).toBe(mail.messageId);
    expect(second.references).toBe(mail.messageId);
    expect(second.subject).toBe(`Re: ${mail.subject}`);
  }, 60_000);

  it('sends nothing for a reply the customer read in the widget before the delay', async () => {
    const { customer, email, conversationId } = await customerInConversation();
    const seq = await reply(conversationId, 'Read me in the widget.');
    const read = await answer(
      clientOf(system, customer).POST('/v1/conversations/{id}/read', {
        params: { path: { id: conversationId } },
        body: { seq },
      }),
    );
    expect(read.status).toBe(202);
    await pastTheDelay();
    expect(catcher.to(email)).toEqual([]);
  }, 60_000);

  it('sends nothing to a customer who unsubscribed with the one-click link', async () => {
    const { email, conversationId } = await customerInConversation();
    await reply(conversationId, 'First answer.');
    const [first] = await waitFor('the first notification', async () => {
      const got = catcher.to(email);
      return got.length ? got : undefined;
    });
    const link = new URL(unsubscribeUrl(first));
    const target = `${system.gatewayUrl}${link.pathname}${link.search}`;

    // GET only shows the page (link scanners fetch links); the mail client's POST unsubscribes.
    const page = await fetch(target);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post">');
    const forged = await fetch(`${system.gatewayUrl}/v1/mail/unsubscribe?token=forged`, { method: 'POST' });
    expect(forged.status).toBe(400);
    const oneClick = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.status).toBe(202);

    await sleep(500);
    await reply(conversationId, 'Second answer, after unsubscribing.');
    await pastTheDelay();
    expect(catcher.to(email)).toHaveLength(1);
  }, 60_000);

  it('invites the customer of a resolved conversation to rate it, with one signed link per score', async () => {
    const { email, conversationId } = await customerInConversation('Refund');
    const resolved = await answer(
      clientOf(system, agent).POST('/v1/conversations/{id}/status', {
        params: { path: { id: conversationId } },
        body: { status: 'resolved' },
      }),
    );
    expect(resolved.status).toBe(202);
    const [invitation] = await waitFor('the rating invitation', async () => {
      const got = catcher.to(email);
      return got.length ? got : undefined;
    });
    expect(invitation.subject).toBe('How did it go? Refund');
    const links = [
      ...(invitation.text ?? '').matchAll(/http:\/\/localhost:3000\/widget\/\?rate=([\w.-]+)&score=(\d)/g),
    ];
    expect(links.map((l) => l[2])).toEqual(['1', '2', '3', '4', '5']);
    const signer = LinkSigner.fromKeyRing(TEST_SECRET_KEY);
    expect(signer.verify('rate conversation', links[0][1])).toMatchObject({ conversationId });
    expect(unsubscribeUrl(invitation)).toMatch(/\/v1\/mail\/unsubscribe\?token=/);
  }, 60_000);

  it('a mail process killed the instant the server took an email sends it never again, and the others still', async () => {
    const db = new Client({ connectionString: system.database.url });
    await db.connect();
    try {
      const customers = [await customerInConversation(), await customerInConversation()];
      const mail = system.services.mail;
      let killedWhileSending: string | undefined;
      catcher.onAccepted = (accepted) => {
        killedWhileSending = accepted.messageId;
        if (mail.pid) process.kill(mail.pid, 'SIGKILL');
      };
      for (const { conversationId } of customers) await reply(conversationId, 'An answer worth an email.');

      await waitFor('the mail process killed', async () => !mail.running && catcher.onAccepted === undefined);
      await mail.start();

      const sent = await waitFor('both notifications', async () => {
        const got = customers.map(({ email }) => catcher.to(email));
        return got.every((mails) => mails.length > 0) ? got : undefined;
      });
      await pastTheDelay();
      for (const { email } of customers) expect(catcher.to(email)).toHaveLength(1);
      expect(sent.flat().map((m) => m.messageId)).toContain(killedWhileSending);

      // The ledger settles the one the kill interrupted as in doubt once its process stopped
      // beating (or as sent, had the 250 been recorded first): never queued again.
      const status = await waitFor(
        'the interrupted email settled',
        async () => {
          const { rows } = await db.query('SELECT status FROM mail.sent_emails WHERE message_id = $1', [
            killedWhileSending,
          ]);
          return ['in_doubt', 'sent'].includes(rows[0]?.status) ? rows[0].status : undefined;
        },
        20_000,
        250,
      );
      expect(['in_doubt', 'sent']).toContain(status);
      expect(catcher.to(customers[0].email).length + catcher.to(customers[1].email).length).toBe(2);
    } finally {
      await db.end();
    }
  }, 90_000);

  it('emails an offline agent a digest of their conversations and the queue, until they switch it off', async () => {
    const email = 'dora@example.com';
    const dora = await answer(
      clientOf(system, TEST_ADMIN_TOKEN).POST('/v1/agents', {
        body: { name: 'Dora Digest', email },
        headers: { prefer: 'wait=10' },
      }),
    );
    expect(dora.status).toBe(201);
    const agentDora = dora.body as Actor;
    // Online, then offline: she takes what waits in the queue, and her digests start.
    await setPresence(system, agentDora, 'online');
    await setPresence(system, agentDora, 'offline');
    const mine = await customerInConversation('Broken zipper');
    const assigned = await answer(
      clientOf(system, agentDora).POST('/v1/conversations/{id}/assignment', {
        params: { path: { id: mine.conversationId } },
        body: { agentId: 'me' },
      }),
    );
    expect(assigned.status).toBe(202);
    await eventuallyConversation(
      system,
      agentDora,
      mine.conversationId,
      'assigned to Dora',
      (c) => c.assigneeId === agentDora.id,
    );
    await customerInConversation('Nobody is online');

    // Mail learns a customer's name from their own partition's events, which may come after the
    // conversation's: a digest sent in between names no customer, the next one does.
    const digest = await waitFor('a digest with both', async () =>
      catcher
        .to(email)
        .find(
          (m) =>
            /Broken zipper \(Customer \d+\)/.test(m.text ?? '') &&
            /Nobody is online \(Customer \d+\)/.test(m.text ?? ''),
        ),
    );
    expect(digest.subject).toMatch(/^Waiting for you: \d+ assigned, \d+ in the queue$/);
    expect(digest.text).toMatch(
      /Assigned to you \(\d+\):\n(- .*\n)*- Broken zipper \(Customer \d+\), open\n/,
    );
    expect(digest.text).toMatch(
      /Waiting in the queue \(\d+\):\n(- .*\n)*- Nobody is online \(Customer \d+\), waiting since /,
    );
    expect(digest.html).toContain('Broken zipper');

    const off = await answer(
      clientOf(system, agentDora).PUT('/v1/agents/me/notifications', {
        body: { emailDigest: false },
        headers: { prefer: 'wait=10' },
      }),
    );
    expect([off.status, off.body]).toEqual([200, { agentId: agentDora.id, emailDigest: false }]);
    const before = catcher.to(email).length;
    await sleep(DIGEST_INTERVAL_SECONDS * 2_000 + 1_500);
    expect(catcher.to(email)).toHaveLength(before);
  }, 60_000);

  it('two mail processes share the work and send each notification once', async () => {
    await system.startReplica('mail');
    const customers = await Promise.all([1, 2, 3, 4].map(() => customerInConversation()));
    for (const { conversationId } of customers) await reply(conversationId, 'Answered by whichever process.');
    await waitFor('every notification', async () =>
      customers.every(({ email }) => catcher.to(email).length > 0),
    );
    await pastTheDelay();
    for (const { email } of customers) expect(catcher.to(email)).toHaveLength(1);
  }, 60_000);
});
