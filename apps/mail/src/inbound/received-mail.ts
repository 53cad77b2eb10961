import { createHash } from 'node:crypto';
import type { AddressObject, ParsedMail } from 'mailparser';
import {
  bareMessageId,
  CommandBody,
  MailSource,
  RECEIVED_MAIL_TEXT_MAX,
  ReceiveMail,
  receivedMailId,
} from '@parley/contracts';

/** What a receiver read of an email, before it becomes a ReceiveMail. */
export interface ReadMail {
  /** The `Message-ID` header, if the email has one. */
  messageId?: string;
  source: MailSource;
  from: string;
  to: string[];
  subject: string;
  text: string;
  /** The `Date` header, if any: it tells apart emails without a Message-ID. */
  date?: string;
}

/**
 * The ReceiveMail of an email. One without a `Message-ID` (rare; RFC 5322 only recommends it) is
 * keyed by a hash of what identifies it, so that delivering it again still creates nothing.
 */
export function receiveMailOf(mail: ReadMail, receivedAt: Date): CommandBody<ReceiveMail> {
  const messageId = mail.messageId?.trim()
    ? bareMessageId(mail.messageId)
    : `${createHash('sha256')
        .update(JSON.stringify([mail.from, mail.to, mail.subject, mail.date ?? '', mail.text]))
        .digest('hex')
        .slice(0, 40)}@no-message-id.parley`;
  return {
    id: receivedMailId(messageId),
    messageId: messageId.slice(0, 998),
    source: mail.source,
    from: mail.from.slice(0, 320),
    to: mail.to.slice(0, 100).map((address) => address.slice(0, 320)),
    subject: mail.subject.slice(0, 998),
    // The reply comes first; what is cut off is the far end of the history it quotes.
    text: mail.text.slice(0, RECEIVED_MAIL_TEXT_MAX),
    receivedAt: receivedAt.toISOString(),
  };
}

/** The first address of an address header (`From`), bare. */
export function firstAddress(header: AddressObject | AddressObject[] | undefined): string {
  const objects = Array.isArray(header) ? header : header ? [header] : [];
  return objects.flatMap((o) => o.value).find((a) => a.address)?.address ?? '';
}

/** What the SMTP listener read of a parsed email sent to `recipients` (the envelope's). */
export function readSmtpMail(parsed: ParsedMail, recipients: string[]): ReadMail {
  return {
    messageId: parsed.messageId,
    source: 'smtp',
    from: firstAddress(parsed.from),
    to: recipients,
    subject: parsed.subject ?? '',
    text: parsed.text ?? '',
    date: parsed.date?.toISOString(),
  };
}
