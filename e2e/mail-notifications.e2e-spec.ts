// Customers who are away hear about their agents' replies by email, against a real SMTP server
// (smtp-server) that this test runs: one email after the delay with every unread reply, nothing
// once read or unsubscribed, and never the same email twice when the mail process is killed the
// instant the server has taken a message.
import { AddressInfo } from 'node:net';
import { ParsedMail, simpleParser } from 'mailparser';
import { Client } from 'pg';
import { SMTPServer } from 'smtp-server';
import { LinkSigner } from '@parley/secrets';
import { ParleySystem, TEST_ADMIN_TOKEN, TEST_SECRET_KEY, waitFor } from '@parley/testing';
import { Actor, answer, clientOf, newAgent, openConversation } from './support/actors';

const DELAY_SECONDS = 2;
const REPLY_DOMAIN = 'reply.test.example';

interface Received {
  to: string[];
  mail: ParsedMail;
}

/** An SMTP server that keeps what it takes; `onAccepted` runs the instant it has said 250. */
class MailCatcher {
  readonly received: Received[] = [];
  onAccepted?: (mail: ParsedMail) => void;
  private readonly server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData: (stream, session, callback) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        void simpleParser(Buffer.concat(chunks)).then((mail) => {
          this.received.push({ to: session.envelope.rcptTo.map((r) => r.address), mail });
          callback();
          const accepted = this.onAccepted;
          this.onAccepted = undefined;
          accepted?.(mail);
        });
      });
    },
  });

  async listen(): Promise<number> {
    await new Promise<void>((done) => this.server.listen(0, '127.0.0.1', done));
    return (this.server.server.address() as AddressInfo).port;
  }

  to(address: string): ParsedMail[] {
    return this.received.filter((r) => r.to.includes(address)).map((r) => r.mail);
  }

  close(): Promise<void> {
    return new Promise((done) => this.server.close(() => done()));
  }
}

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
    });
    agent = await newAgent(system, { name: 'Ann Agent' });
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
    await catcher.close();
  });

  /** A customer with an email address, in a conversation of their own. */
  async function customerInConversation(): Promise<{
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
    const { id } = await openConversation(system, customer, { body: 'Where is my order?' });
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

      // The ledger holds the one the kill interrupted as handed over (sending, or sent when its 250
      // was recorded first): never queued again.
      const { rows } = await db.query(
        `SELECT message_id, status FROM mail.sent_emails WHERE message_id = $1`,
        [killedWhileSending],
      );
      expect(['sending', 'sent']).toContain(rows[0]?.status);
    } finally {
      await db.end();
    }
  }, 90_000);
});
