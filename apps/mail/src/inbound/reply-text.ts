import EmailReplyParser from 'email-reply-parser';

/**
 * Where a quoted earlier message starts, for the headers mail clients write that email-reply-parser
 * misses: Outlook's "-----Original Message-----" and its underscore rule, an Outlook or Apple Mail
 * header block ("From: …" followed by "Sent:"/"Date:"), and an "On … wrote:" line broken over two
 * lines by the client's wrapping.
 */
const QUOTE_HEADERS: RegExp[] = [
  /^[ \t]*-{2,}[ \t]*Original Message[ \t]*-{2,}[ \t]*$/im,
  /^[ \t]*_{10,}[ \t]*\r?\n[ \t]*From:/im,
  /^[ \t]*\*?From:\*?[ \t].*\r?\n(?:[ \t]*\*?(?:To|Cc):\*?[ \t].*\r?\n)?[ \t]*\*?(?:Sent|Date):\*?[ \t]/im,
  /^[ \t]*On[ \t][^\n]{1,300}(?:\r?\n[^\n]{1,300})?[ \t]wrote:[ \t]*$/im,
];

/**
 * The new text of a reply by email: the customer's words, without the quoted history under them,
 * nor their signature. Empty when nothing new was written.
 */
export function replyText(text: string): string {
  const normalized = text.replace(/\r\n?/g, '\n');
  const cut = QUOTE_HEADERS.reduce((end, header) => {
    const at = normalized.search(header);
    return at >= 0 && at < end ? at : end;
  }, normalized.length);
  return new EmailReplyParser().parseReply(normalized.slice(0, cut)).trim();
}
