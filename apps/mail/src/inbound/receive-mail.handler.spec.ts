import { randomBytes } from 'node:crypto';
import { PostMessage, ReceiveMail, receivedMailId } from '@parley/contracts';
import { JetStreamPublisher, QueryRejected } from '@parley/jetstream';
import { LinkSigner } from '@parley/secrets';
import { MailEnv } from '../mail.env';
import { replyAddress } from '../reply-address';
import { InboundMailRepository, MailOutcome } from './inbound-mail.repository';
import { ReceiveMailHandler } from './receive-mail.handler';

const DOMAIN = 'reply.example.com';
const signer = LinkSigner.fromKeyRing(`k1:${randomBytes(32).toString('base64')}`);
const config = { PARLEY_MAIL_REPLY_DOMAIN: DOMAIN } as MailEnv;
const address = (conversationId: string) => replyAddress(signer, conversationId, DOMAIN);

/** The mail service's record and the conversation service as the handler sees them, in memory. */
function handlerWith(o: { conversations?: Record<string, string>; emails?: Record<string, string> } = {}) {
  const recorded = new Map<string, MailOutcome>();
  const posted: Array<{ subject: string; payload: PostMessage; msgId: string }> = [];
  const inbound = {
    isKnown: async (messageId: string) => recorded.has(messageId),
    customerEmail: async (customerId: string) => o.emails?.[customerId],
    record: async (mail: ReceiveMail, outcome: MailOutcome) => {
      if (!recorded.has(mail.messageId)) recorded.set(mail.messageId, outcome);
    },
  } as unknown as InboundMailRepository;
  const publisher = {
    publish: async (subject: string, payload: PostMessage, msgId: string) =>
      void posted.push({ subject, payload, msgId }),
    query: async (_subject: string, q: { conversationId: string }) => {
      const customerId = o.conversations?.[q.conversationId];
      if (!customerId) throw new QueryRejected(404, 'Not found', 'no such conversation');
      return { id: q.conversationId, customerId };
    },
  } as unknown as JetStreamPublisher;
  return { handler: new ReceiveMailHandler(inbound, publisher, signer, config), recorded, posted };
}

const mail = (fields: Partial<ReceiveMail>): ReceiveMail => ({
  id: receivedMailId('m1@mail.example.com'),
  messageId: 'm1@mail.example.com',
  source: 'smtp',
  from: 'bob@example.com',
  to: [address('c1')],
  subject: 'Re: your question',
  text: 'Thanks!\n\nOn Mon, Dec 7, 2026 at 10:02 AM Ada wrote:\n> Try restarting.',
  receivedAt: '2026-12-07T10:05:00.000Z',
  issuedBy: { id: 'smtp-listener', role: 'admin' },
  acceptedAt: '2026-12-07T10:05:00.000Z',
  ...fields,
});

describe('ReceiveMailHandler', () => {
  it("posts the new text as the customer's message by email, its id derived from the Message-ID", async () => {
    const { handler, posted, recorded } = handlerWith({
      conversations: { c1: 'cu1' },
      emails: { cu1: 'Bob@Example.com' },
    });

    await handler.receive(mail({}));

    expect(posted).toEqual([
      {
        subject: PostMessage.subject,
        msgId: receivedMailId('m1@mail.example.com'),
        payload: expect.objectContaining({
          conversationId: 'c1',
          messageId: receivedMailId('m1@mail.example.com'),
          body: 'Thanks!',
          via: 'email',
          issuedBy: { id: 'cu1', role: 'customer' },
        }),
      },
    ]);
    expect(recorded.get('m1@mail.example.com')).toEqual({ status: 'matched', conversationId: 'c1' });
  });

  it('posts nothing for an email it has handled before', async () => {
    const { handler, posted } = handlerWith({ conversations: { c1: 'cu1' } });

    await handler.receive(mail({}));
    await handler.receive(mail({}));

    expect(posted).toHaveLength(1);
  });

  it.each<[string, Partial<ReceiveMail>, string]>([
    [
      'an altered tag',
      { to: [address('c1').replace(/\.([0-9a-f])/, (_, d) => (d === '0' ? '.1' : '.0'))] },
      'forged-address',
    ],
    [
      "another conversation's id under the tag",
      { to: [address('c1').replace('+c1.', '+c2.')] },
      'forged-address',
    ],
    ['no reply address among the recipients', { to: [`support@${DOMAIN}`] }, 'not-a-reply-address'],
    ['a conversation that does not exist', { to: [address('gone')] }, 'unknown-conversation'],
    ["a sender other than the customer's address", { from: 'mallory@example.net' }, 'sender-not-customer'],
    ['nothing but quoted history', { text: '> Try restarting.\n> Ada' }, 'empty-reply'],
    ['more than a message may hold', { text: 'x'.repeat(10_001) }, 'too-long'],
  ])('keeps an email with %s as unmatched, and posts nothing', async (_, fields, reason) => {
    const { handler, posted, recorded } = handlerWith({
      conversations: { c1: 'cu1', c2: 'cu2' },
      emails: { cu1: 'bob@example.com' },
    });

    await handler.receive(mail(fields));

    expect(posted).toEqual([]);
    expect(recorded.get('m1@mail.example.com')).toMatchObject({ status: 'unmatched', reason });
  });

  it('trusts the reply address alone for a customer whose address it does not know', async () => {
    const { handler, posted } = handlerWith({ conversations: { c1: 'cu1' } });

    await handler.receive(mail({ from: 'bob.at.work@example.org' }));

    expect(posted).toHaveLength(1);
  });
});
