import type { AddressObject, ParsedMail } from 'mailparser';
import type { ReadMail } from '@parley/contracts';

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
    // An email with HTML only gets the text mailparser makes of it.
    text: parsed.text ?? '',
    date: parsed.date?.toISOString(),
  };
}
