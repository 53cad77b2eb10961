import { NotFoundException, UnauthorizedException } from '@nestjs/common';
import { PostmarkInbound } from './inbound-mail.dto';
import { readPostmarkMail } from './postmark-mail';
import { WebhookCredentials } from './webhook-credentials';

const inbound: PostmarkInbound = {
  MessageID: '7c2a0f4e-1b3d-4c5e-8f9a-0b1c2d3e4f5a',
  From: 'bob@example.com',
  FromFull: { Email: 'bob@example.com', Name: 'Bob' },
  ToFull: [{ Email: 'reply+c1.0123456789abcdef0123@reply.example.com', Name: 'Ada' }],
  CcFull: [{ Email: 'carol@example.com' }],
  OriginalRecipient: 'reply+c1.0123456789abcdef0123@reply.example.com',
  Subject: 'Re: Router',
  TextBody: 'It works.',
  Headers: [{ Name: 'message-id', Value: ' <CAF-1@mail.gmail.com> ' }],
};

describe('readPostmarkMail', () => {
  it("reads the email's own Message-ID, its sender and every recipient once", () => {
    expect(readPostmarkMail(inbound)).toEqual({
      messageId: '<CAF-1@mail.gmail.com>',
      source: 'postmark',
      from: 'bob@example.com',
      to: ['reply+c1.0123456789abcdef0123@reply.example.com', 'carol@example.com'],
      subject: 'Re: Router',
      text: 'It works.',
      date: undefined,
    });
  });

  it("falls back to Postmark's MessageID, stable across its retries, without a Message-ID header", () => {
    expect(readPostmarkMail({ ...inbound, Headers: [] }).messageId).toBe(
      '7c2a0f4e-1b3d-4c5e-8f9a-0b1c2d3e4f5a@inbound.postmarkapp.com',
    );
  });
});

describe('WebhookCredentials', () => {
  const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`;
  const credentials = new WebhookCredentials('postmark:a-long-enough-password');

  it('lets the configured user and password through', () => {
    expect(() => credentials.check(basic('postmark:a-long-enough-password'))).not.toThrow();
  });

  it.each([
    ['a wrong password', basic('postmark:a-long-enough-passwore')],
    ['a wrong user', basic('mallory:a-long-enough-password')],
    ['a bearer token', 'Bearer a-long-enough-password'],
    ['nothing', undefined],
  ])('refuses %s with 401', (_, authorization) => {
    expect(() => credentials.check(authorization)).toThrow(UnauthorizedException);
  });

  it('answers 404 when no credentials are configured: the webhook is off', () => {
    expect(() => new WebhookCredentials('').check(basic('postmark:a-long-enough-password'))).toThrow(
      NotFoundException,
    );
  });
});
