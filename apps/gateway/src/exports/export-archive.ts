import { Injectable } from '@nestjs/common';
import archiver, { type Archiver } from 'archiver';
import { Readable } from 'node:stream';
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

/** Resolves once the zip has taken in the whole entry `name`. */
function appended(zip: Archiver, name: string): Promise<void> {
  return new Promise((done) => {
    const taken = (entry: { name: string }) => {
      if (entry.name !== name) return;
      zip.off('entry', taken);
      done();
    };
    zip.on('entry', taken);
  });
}

/**
 * Builds the archive as it is downloaded: `export.json` and each attachment's bytes, streamed from
 * the attachments' object store into the zip one file at a time, as the client reads, so nothing is
 * held in memory or written twice.
 */
@Injectable()
export class ExportArchive {
  constructor(private readonly attachments: AttachmentStore) {}

  /** The zip, filled as it is read; a failure midway fails the stream, so no partial archive passes for whole. */
  stream(request: ExportRequest, parts: ExportParts): Readable {
    const zip = archiver('zip', { zlib: { level: 6 } });
    this.fill(zip, request, parts).catch((error: unknown) => zip.destroy(error as Error));
    return zip;
  }

  private async fill(zip: Archiver, request: ExportRequest, parts: ExportParts): Promise<void> {
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
    zip.append(JSON.stringify(exportDocument(request, parts, present), null, 2), { name: 'export.json' });
    for (const id of present) {
      const found = await this.attachments.get(id);
      if (!found) throw new Error(`attachment ${id} went missing while its export was read`);
      // The next file is fetched once this one is in the zip: one object store read at a time.
      const name = archivePath(refs.get(id) as AttachmentRef);
      const written = appended(zip, name);
      zip.append(Readable.fromWeb(found.data as WebReadableStream), { name });
      await written;
    }
    await zip.finalize();
  }
}
