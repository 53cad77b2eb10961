import { NAMESPACE } from './namespace';

/** Images: shown inline in the widget and the console, served `Content-Disposition: inline`. */
export const ATTACHMENT_IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;

/** Every type an attachment may have, as sniffed from its bytes; anything else is refused. */
export const ATTACHMENT_TYPES = [...ATTACHMENT_IMAGE_TYPES, 'application/pdf', 'text/plain'] as const;
export type AttachmentType = (typeof ATTACHMENT_TYPES)[number];

/**
 * The most attachments a command may reference, whatever PARLEY_ATTACHMENTS_PER_MESSAGE_MAX says:
 * the gateway enforces the configured limit, this bounds what a command can make the service look up.
 */
export const ATTACHMENTS_PER_MESSAGE_CEILING = 20;

/** The JetStream object store every attachment is kept in (stream `OBJ_<bucket>`). */
export const ATTACHMENTS_BUCKET = `${NAMESPACE}-attachments`;

/** An attachment as a message carries it: in `message.created` and in history. */
export interface AttachmentRef {
  id: string;
  name: string;
  contentType: AttachmentType;
  size: number;
  /** When its site's retention deleted its object (`attachments.expired`); absent while it is kept. */
  expiredAt?: string;
}

/**
 * What the gateway writes in an object's metadata at upload (the object's name is the attachment
 * id; its size and SHA-256 digest are the object store's): the conversation service checks a
 * message's attachments against it.
 */
export interface AttachmentObjectMetadata extends Record<string, string> {
  conversationId: string;
  uploaderId: string;
  uploaderRole: string;
  /** The file name as sent, for the download and for search. */
  fileName: string;
  /** As sniffed from the bytes. */
  contentType: AttachmentType;
}

export function isImageType(type: string): boolean {
  return (ATTACHMENT_IMAGE_TYPES as readonly string[]).includes(type);
}
