import { Injectable } from '@nestjs/common';
import archiver from 'archiver';
import type { Readable } from 'node:stream';
import { Readable as NodeReadable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type {
  AttachmentRef,
  ExportedConversation,
  ExportedCustomer,
  ExportedEmail,
  ExportedMessage,
  ExportRequest,
} from '@parley/contracts';
import { AttachmentStore } from '../attachments/attachment-store';
import { ExportParts } from './export-store';

/** An attachment as the archive's document lists it: `file` is its path in the archive, null once gone. */
export type ArchivedAttachment = AttachmentRef & { file: string | null };

export type ArchivedMessage = Omit<ExportedMessage, 'attachments'> & { attachments: ArchivedAttachment[] };

/** `export.json`: one document, each thing in it once, in the place a reader looks for it. */
export interface ExportDocument {
  format: 'parley-customer-export/1';
  exportId: string;
  requestedAt: string;
  requestedBy: ExportRequest['requestedBy'];
  generatedAt: string;
  customer: ExportedCustomer | null;
  conversations: Array<ExportedConversation & { messages: ArchivedMessage[] }>;
  emails: ExportedEmail[];
}

/** Where an attachment's bytes go in the archive: its id keeps two files of one name apart. */
export function archivePath(attachment: Pick<AttachmentRef, 'id' | 'name'>): string {
  return `attachments/${attachment.id}-${attachment.name.replace(/[\\/]/g, '_')}`;
}

/**
 * Merges the parts into one document: conversations from the conversation service's part, each
 * with its messages from history's, and the emails from mail's. A message is listed under its
 * conversation only, an attachment under the message that carries it, so nothing appears twice.
 */
export function exportDocument(
  request: ExportRequest,
  parts: ExportParts,
  filesPresent: ReadonlySet<string>,
  now = new Date(),
): ExportDocument {
  const messagesOf = new Map<string, ArchivedMessage[]>();
  for (const message of parts.history.messages) {
    const archived: ArchivedMessage = {
      ...message,
      attachments: message.attachments.map((a) => ({
        ...a,
        file: filesPresent.has(a.id) ? archivePath(a) : null,
      })),
    };
    messagesOf.set(message.conversationId, [...(messagesOf.get(message.conversationId) ?? []), archived]);
  }
  return {
    format: 'parley-customer-export/1',
    exportId: request.exportId,
    requestedAt: request.requestedAt,
    requestedBy: request.requestedBy,
    generatedAt: now.toISOString(),
    customer: parts.conversation.customer,
    conversations: parts.conversation.conversations.map((conversation) => ({
      ...conversation,
      messages: messagesOf.get(conversation.id) ?? [],
    })),
    emails: parts.mail.emails,
  };
}

/**
 * Builds the archive as it is downloaded: `export.json` and each attachment's bytes, streamed from
 * the attachments' object store into the zip, so nothing is held in memory or written twice.
 */
@Injectable()
export class ExportArchive {
  constructor(private readonly attachments: AttachmentStore) {}

  async stream(request: ExportRequest, parts: ExportParts): Promise<Readable> {
    const conversationIds = new Set(parts.conversation.conversations.map((c) => c.id));
    const refs = new Map<string, AttachmentRef>();
    for (const message of parts.history.messages)
      for (const attachment of message.attachments) refs.set(attachment.id, attachment);
    // Only files uploaded into this customer's conversations, whatever a part names.
    const present = new Set<string>();
    for (const id of refs.keys()) {
      const object = await this.attachments.find(id);
      if (object && conversationIds.has(object.metadata.conversationId)) present.add(id);
    }
    const zip = archiver('zip', { zlib: { level: 6 } });
    zip.append(JSON.stringify(exportDocument(request, parts, present), null, 2), { name: 'export.json' });
    for (const id of present) {
      const found = await this.attachments.get(id);
      if (!found) continue;
      zip.append(NodeReadable.fromWeb(found.data as WebReadableStream), {
        name: archivePath(refs.get(id) as AttachmentRef),
      });
    }
    void zip.finalize();
    return zip;
  }
}
