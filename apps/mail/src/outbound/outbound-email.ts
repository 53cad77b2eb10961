import MailComposer from 'nodemailer/lib/mail-composer';

/** What an email says, as the ledger keeps it until it is sent (column `content`). */
export interface EmailContent {
  /** The display name is quoted and encoded as needed when the message is built. */
  from: { name: string; address: string };
  to: { name: string; address: string };
  replyTo?: string;
  subject: string;
  text: string;
  html: string;
  /** Extra headers, e.g. List-Unsubscribe. */
  headers: Record<string, string>;
  inReplyTo?: string;
  references?: string[];
  /** When it was composed (RFC 3339): its Date header, the same on every attempt. */
  date: string;
}

/** An email to send once: its `Message-ID` is its key in the ledger. */
export interface OutboundEmail {
  messageId: string;
  kind: 'notification' | 'rating' | 'digest';
  conversationId: string | null;
  recipientId: string;
  content: EmailContent;
}

/** The RFC 5322 message: the same headers on every attempt (only the MIME boundary differs). */
export function rawMessage(messageId: string, content: EmailContent): Promise<Buffer> {
  return new MailComposer({
    messageId,
    date: new Date(content.date),
    from: content.from,
    to: content.to,
    replyTo: content.replyTo,
    subject: content.subject,
    text: content.text,
    html: content.html,
    headers: content.headers,
    inReplyTo: content.inReplyTo,
    references: content.references,
  })
    .compile()
    .build();
}
