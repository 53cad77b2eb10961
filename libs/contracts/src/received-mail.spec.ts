import { bareMessageId, RECEIVED_MAIL_TEXT_MAX, receivedMailId, receiveMailOf, ReadMail } from './commands';

const read: ReadMail = {
  messageId: '<CAF-1@mail.gmail.com>',
  source: 'smtp',
  from: 'bob@example.com',
  to: ['reply+c1.0123456789abcdef0123@reply.example.com'],
  subject: 'Re: Router',
  text: 'It works.',
  date: '2026-12-07T10:05:00.000Z',
};
const at = new Date('2026-12-07T10:05:01.000Z');

describe('receiveMailOf', () => {
  it('keys an email by its Message-ID, the same with or without angle brackets', () => {
    const mail = receiveMailOf(read, at);
    expect(mail).toMatchObject({ messageId: 'CAF-1@mail.gmail.com', receivedAt: '2026-12-07T10:05:01.000Z' });
    expect(mail.id).toBe(receivedMailId('CAF-1@mail.gmail.com'));
    expect(receiveMailOf({ ...read, messageId: ' CAF-1@mail.gmail.com ' }, at).id).toBe(mail.id);
    expect(receivedMailId('CAF-2@mail.gmail.com')).not.toBe(mail.id);
  });

  it('keys an email without a Message-ID by what it says, so a second delivery is the same email', () => {
    const first = receiveMailOf({ ...read, messageId: undefined }, at);
    const again = receiveMailOf({ ...read, messageId: '' }, new Date());
    const other = receiveMailOf({ ...read, messageId: undefined, text: 'Something else.' }, at);
    expect(first.messageId).toMatch(/^[0-9a-f]{40}@no-message-id\.parley$/);
    expect(again.id).toBe(first.id);
    expect(other.id).not.toBe(first.id);
  });

  it('cuts the text to its bound, from the far end of the quoted history, and drops NUL characters', () => {
    const long = receiveMailOf({ ...read, text: `New\u0000 text\n${'> old\n'.repeat(50_000)}` }, at);
    expect(long.text).toHaveLength(RECEIVED_MAIL_TEXT_MAX);
    expect(long.text.startsWith('New text\n')).toBe(true);
  });
});

describe('bareMessageId', () => {
  it('takes the angle brackets and spaces off', () => {
    expect(bareMessageId('  <a.b@c> ')).toBe('a.b@c');
    expect(bareMessageId('a.b@c')).toBe('a.b@c');
  });
});
