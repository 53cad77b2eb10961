import type { ReadMail } from '@parley/contracts';
import type { PostmarkAddress, PostmarkInbound } from './inbound-mail.dto';

const emails = (addresses: PostmarkAddress[] | undefined) => (addresses ?? []).map((a) => a.Email);

/**
 * What Parley reads of a Postmark inbound payload. Recipients: the address Postmark delivered it to
 * first, then To and Cc. The key is the email's own `Message-ID` header, the same whichever way the
 * email comes in; without one, Postmark's MessageID, which stays the same across its retries.
 */
export function readPostmarkMail(inbound: PostmarkInbound): ReadMail {
  const header = inbound.Headers?.find((h) => h.Name.toLowerCase() === 'message-id')?.Value.trim();
  const to = [inbound.OriginalRecipient ?? '', ...emails(inbound.ToFull), ...emails(inbound.CcFull)];
  return {
    messageId: header || `${inbound.MessageID}@inbound.postmarkapp.com`,
    source: 'postmark',
    from: inbound.FromFull?.Email ?? inbound.From ?? '',
    to: [...new Set(to.filter(Boolean))],
    subject: inbound.Subject ?? '',
    text: inbound.TextBody ?? '',
    date: inbound.Date,
  };
}
