import { replyText } from './reply-text';

/*
 * Replies as the common mail clients write them (text parts as they arrive, CRLF line ends), each
 * under a notification Parley sent from reply+c1.0123456789abcdef0123@reply.example.com.
 */

const GMAIL = [
  'Thanks, restarting fixed it!',
  '',
  'On Mon, Dec 7, 2026 at 10:02 AM Ada Lovelace (Acme Support) <',
  'reply+c1.0123456789abcdef0123@reply.example.com> wrote:',
  '',
  '> Hi Bob, could you try restarting the router?',
  '>',
  '> Ada',
  '',
].join('\r\n');

const OUTLOOK_DESKTOP = [
  'Sounds good, see you then.',
  '',
  '-----Original Message-----',
  'From: Ada Lovelace (Acme Support) <reply+c1.0123456789abcdef0123@reply.example.com>',
  'Sent: Monday, December 7, 2026 10:02 AM',
  'To: Bob <bob@example.com>',
  'Subject: RE: Router',
  '',
  'Hi Bob, could you try restarting the router?',
].join('\r\n');

const OUTLOOK_WEB = [
  'It works now.',
  '',
  '________________________________',
  'From: Ada Lovelace (Acme Support) <reply+c1.0123456789abcdef0123@reply.example.com>',
  'Sent: Monday, December 7, 2026 10:02',
  'To: bob@example.com <bob@example.com>',
  'Subject: Re: Router',
  '',
  'Hi Bob, could you try restarting the router?',
].join('\r\n');

const OUTLOOK_MOBILE = [
  'Still broken, sorry.',
  '',
  'Get Outlook for Android',
  'From: Ada Lovelace <reply+c1.0123456789abcdef0123@reply.example.com>',
  'Sent: Monday, December 7, 2026 10:02:11 AM',
  'To: bob@example.com',
  'Subject: Re: Router',
  '',
  'Hi Bob, could you try restarting the router?',
].join('\r\n');

const APPLE_MAIL = [
  'Yes please, tomorrow works.',
  '',
  'Sent from my iPhone',
  '',
  '> On 7 Dec 2026, at 10:02, Ada Lovelace (Acme Support) <reply+c1.0123456789abcdef0123@reply.example.com> wrote:',
  '> ',
  '> Hi Bob, could you try restarting the router?',
].join('\n');

const WITH_SIGNATURE = [
  'Works now, thank you.',
  '',
  '-- ',
  'Bob Smith',
  'Head of IT, Example Ltd',
  '+44 20 7946 0000',
].join('\n');

describe('replyText', () => {
  it.each([
    ['Gmail, its "On … wrote:" wrapped over two lines', GMAIL, 'Thanks, restarting fixed it!'],
    ['Outlook desktop, "-----Original Message-----"', OUTLOOK_DESKTOP, 'Sounds good, see you then.'],
    ['Outlook on the web, the underscore rule', OUTLOOK_WEB, 'It works now.'],
    ['Apple Mail on iPhone, with its signature', APPLE_MAIL, 'Yes please, tomorrow works.'],
    ['a "-- " signature', WITH_SIGNATURE, 'Works now, thank you.'],
  ])('keeps only the new text of a reply from %s', (_, text, expected) => {
    expect(replyText(text)).toBe(expected);
  });

  it('cuts an Outlook header block that has no rule above it', () => {
    expect(replyText(OUTLOOK_MOBILE)).toMatch(/^Still broken, sorry\./);
    expect(replyText(OUTLOOK_MOBILE)).not.toContain('restarting');
  });

  it('keeps every paragraph the customer wrote', () => {
    const text =
      'First, the router.\r\n\r\nSecond, the cable.\r\n\r\nOn Mon, Dec 7, 2026 at 10:02 AM Ada wrote:\r\n> Hi';
    expect(replyText(text)).toBe('First, the router.\n\nSecond, the cable.');
  });

  it('leaves a message with no quoted history as it is', () => {
    expect(replyText('Just checking in about my order 1234.')).toBe('Just checking in about my order 1234.');
  });

  it('is empty when the reply only quotes', () => {
    expect(replyText('> Hi Bob, could you try restarting the router?\n> Ada\n')).toBe('');
  });
});
