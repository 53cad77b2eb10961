import {
  BadRequestException,
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  PayloadTooLargeException,
  UnprocessableEntityException,
} from '@nestjs/common';
import { AttachmentObjectMetadata, AttachmentType, Principal } from '@parley/contracts';
import { SERVICE_CONFIG } from '@parley/runtime';
import type { Readable } from 'node:stream';
import { GatewayEnv } from '../gateway.env';
import { AttachmentLinks } from './attachment-links';
import { AttachmentObject, AttachmentStore, sha256Hex } from './attachment-store';
import { classify, detectFileType, DetectType, PlainTextCheck, SNIFF_BYTES } from './attachment-type';
import type { UploadedAttachment } from './attachments.dto';

/** What an upload names: where it goes, its id (derived from an Idempotency-Key), who sends it. */
export interface Upload {
  attachmentId: string;
  conversationId: string;
  uploader: Principal;
  fileName: string;
  /** The declared Content-Length. */
  length: number;
  body: Readable;
}

export const FILE_NAME_MAX = 255;

/** A problem found while streaming, raised after the object store has dropped what it took. */
class RefusedUpload extends Error {
  constructor(readonly problem: HttpException) {
    super(problem.message);
  }
}

/**
 * Streams an upload into the object store: the type is sniffed from its first bytes (refused with
 * 422 when not allowed), plain text is checked to its end, and the size is held to the declared
 * Content-Length and the attachment limit. The object's metadata names its conversation and
 * uploader, which the conversation service checks when a message references it.
 */
@Injectable()
export class AttachmentUploads {
  private readonly maxBytes: number;
  detect: DetectType = detectFileType;

  constructor(
    private readonly store: AttachmentStore,
    private readonly links: AttachmentLinks,
    @Inject(SERVICE_CONFIG) config: GatewayEnv,
  ) {
    this.maxBytes = config.PARLEY_ATTACHMENT_MAX_BYTES;
  }

  /** Checks what can be checked before reading the body: 413 for a size over the limit. */
  checkLength(length: number): void {
    if (length > this.maxBytes)
      throw new PayloadTooLargeException(
        `An attachment is at most ${this.maxBytes} bytes; this one is ${length}.`,
      );
    if (length === 0) throw new BadRequestException('The file is empty.');
  }

  async upload(upload: Upload): Promise<UploadedAttachment> {
    this.checkLength(upload.length);
    // A retry of an upload that got through (same Idempotency-Key, so the same id): the same answer.
    const earlier = await this.store.find(upload.attachmentId);
    if (earlier) return this.answer(this.ownedBy(earlier, upload));
    const chunks = upload.body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    const head = await readHead(chunks, SNIFF_BYTES);
    const found = await classify(head, this.detect);
    if (found.verdict === 'refused')
      throw new UnprocessableEntityException(
        `Files of type ${found.detected} cannot be attached: images (PNG, JPEG, GIF, WebP), PDF and plain text can.`,
      );
    const text = found.verdict === 'text' ? new PlainTextCheck() : undefined;
    const contentType: AttachmentType = found.verdict === 'accepted' ? found.type : 'text/plain';
    const metadata: AttachmentObjectMetadata = {
      conversationId: upload.conversationId,
      uploaderId: upload.uploader.id,
      uploaderRole: upload.uploader.role,
      fileName: upload.fileName,
      contentType,
    };
    let size = 0;
    const check = (chunk: Buffer) => {
      size += chunk.length;
      if (size > upload.length)
        throw new RefusedUpload(new BadRequestException('The body is longer than its Content-Length.'));
      text?.push(chunk);
    };
    async function* bytes(): AsyncGenerator<Uint8Array> {
      check(head);
      yield head;
      for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
        check(next.value);
        yield next.value;
      }
      text?.end();
      if (text?.fail)
        throw new RefusedUpload(
          new UnprocessableEntityException(
            `The file cannot be attached: ${text.fail}; only images, PDF and plain text can.`,
          ),
        );
      if (size < upload.length)
        throw new RefusedUpload(new BadRequestException('The body ended before its Content-Length.'));
    }
    try {
      const info = await this.store.put(upload.attachmentId, metadata, ReadableStream.from(bytes()));
      // As stored: an ObjectInfo reads its fields through getters, so it is passed on, not spread.
      return this.answer(info as AttachmentObject);
    } catch (error) {
      throw error instanceof RefusedUpload ? error.problem : error;
    }
  }

  /** The earlier upload, when it is this uploader's into this conversation; 409 otherwise. */
  private ownedBy(earlier: AttachmentObject, upload: Upload): AttachmentObject {
    const { conversationId, uploaderId } = earlier.metadata;
    if (conversationId !== upload.conversationId || uploaderId !== upload.uploader.id)
      throw new HttpException('This Idempotency-Key was used for another upload.', HttpStatus.CONFLICT);
    return earlier;
  }

  private answer(object: AttachmentObject): UploadedAttachment {
    return {
      id: object.name,
      name: object.metadata.fileName,
      contentType: object.metadata.contentType,
      size: object.size,
      sha256: sha256Hex(object),
      url: this.links.url(object.name),
    };
  }
}

/** The first `bytes` bytes of a body (fewer when it is shorter), as one buffer. */
async function readHead(chunks: AsyncIterator<Buffer>, bytes: number): Promise<Buffer> {
  const head: Buffer[] = [];
  let length = 0;
  while (length < bytes) {
    const next = await chunks.next();
    if (next.done) break;
    head.push(next.value);
    length += next.value.length;
  }
  return Buffer.concat(head);
}
