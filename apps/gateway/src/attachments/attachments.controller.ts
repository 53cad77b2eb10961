import {
  BadRequestException,
  Controller,
  GoneException,
  Get,
  HttpCode,
  HttpException,
  HttpStatus,
  NotFoundException,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { isImageType } from '@parley/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { IdParam } from '../api/id-param.pipe';
import { ApiConversationIdParam } from '../api/params.doc';
import { ApiProblems } from '../api/problem.doc';
import { CurrentWrite, Idempotent, Write } from '../api/write';
import { ConversationPrecheck } from '../conversations/conversation-precheck';
import { AttachmentLinks } from './attachment-links';
import { AttachmentObject, AttachmentStore } from './attachment-store';
import { AttachmentUploads, FILE_NAME_MAX } from './attachment-uploads';
import { ATTACHMENT_ID, DownloadQuery, UploadedAttachment } from './attachments.dto';
import { AllowUpload, uploadOf } from './upload-body';

/** The file name as given, without any path; 400 when empty, too long or with control characters. */
function fileNameOf(raw: unknown): string {
  const name = typeof raw === 'string' ? (raw.split(/[\\/]/).pop() ?? '').trim() : '';
  if (!name || name.length > FILE_NAME_MAX || /[\p{Cc}]/u.test(name))
    throw new BadRequestException(
      `\`name\` is the file name: 1 to ${FILE_NAME_MAX} characters, no control characters.`,
    );
  return name;
}

/** `filename*` of Content-Disposition (RFC 6266), any name safely encoded. */
function disposition(object: AttachmentObject): string {
  const kind = isImageType(object.metadata.contentType) ? 'inline' : 'attachment';
  return `${kind}; filename*=UTF-8''${encodeURIComponent(object.metadata.fileName)}`;
}

/** Files attached to messages: uploaded into a conversation, downloaded through signed links. */
@ApiTags('attachments')
@Controller('v1')
export class AttachmentsController {
  constructor(
    private readonly uploads: AttachmentUploads,
    private readonly store: AttachmentStore,
    private readonly links: AttachmentLinks,
    private readonly precheck: ConversationPrecheck,
  ) {}

  @Post('conversations/:id/attachments')
  @ApiBearerAuth()
  @ApiConversationIdParam()
  @AllowUpload('customer', 'agent')
  @HttpCode(201)
  @ApiOperation({
    operationId: 'uploadAttachment',
    summary: 'Upload a file to attach to a message',
    description:
      "The body is the file itself, any Content-Type (it is not believed), with a Content-Length of at most PARLEY_ATTACHMENT_MAX_BYTES (default 10 MiB). The type is sniffed from the bytes: PNG, JPEG, GIF and WebP images, PDF, and plain text (valid UTF-8 without NUL) are accepted; anything else, an executable named `.png` included, is refused with 422 naming the type found. Reference the answer's `id` in `attachments` of `POST /v1/conversations/{id}/messages` (up to PARLEY_ATTACHMENTS_PER_MESSAGE_MAX, default 5). Retry an interrupted upload with the same `Idempotency-Key`: once stored, the same key answers the same attachment. An attachment no message references is deleted after PARLEY_ATTACHMENT_ORPHAN_HOURS (default 24). Accepted while the conversation service is offline: the message that references it is checked when that service applies it.",
  })
  @ApiQuery({
    name: 'name',
    description: 'The file name, shown and searchable',
    example: 'broken-parcel.png',
  })
  @ApiConsumes('application/octet-stream')
  @ApiBody({
    description: 'The file; sent with any Content-Type, which is not believed',
    required: true,
    schema: { type: 'string', format: 'binary' },
  })
  @ApiCreatedResponse({ type: UploadedAttachment, description: 'Stored in the object store' })
  @ApiProblems(400, 401, 403, 404, 409, 411, 413, 422, 503)
  @Idempotent()
  async upload(
    @Param('id', IdParam) conversationId: string,
    @Query('name') name: unknown,
    @Req() request: FastifyRequest,
    @CurrentWrite() write: Write,
  ): Promise<UploadedAttachment> {
    const fileName = fileNameOf(name);
    const length = Number(request.headers['content-length']);
    const body = uploadOf(request);
    if (!Number.isSafeInteger(length) || !body)
      throw new HttpException('An upload needs its Content-Length.', HttpStatus.LENGTH_REQUIRED);
    this.uploads.checkLength(length);
    await this.precheck.check({ principal: write.principal, conversationId });
    return this.uploads.upload({
      attachmentId: write.allocate(),
      conversationId,
      uploader: write.principal,
      fileName,
      length,
      body,
    });
  }

  @Get('attachments/:id')
  @ApiParam({ name: 'id', description: 'Attachment id', example: ATTACHMENT_ID })
  @ApiOperation({
    operationId: 'downloadAttachment',
    security: [],
    summary: 'Download an attachment through its signed link',
    description:
      "No bearer token: `token` is the signature of the attachment's `url`, as a message carries it, valid for PARLEY_ATTACHMENT_URL_TTL_SECONDS (default 300 s). Images are served inline, everything else as a download, always with the sniffed Content-Type, `X-Content-Type-Options: nosniff` and `Content-Security-Policy: default-src 'none'`. An expired link is refused with 401, an altered or foreign one with 403; an attachment deleted for its site's retention policy answers 410.",
  })
  @ApiProduces('image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf', 'text/plain')
  @ApiResponse({
    status: 200,
    description: 'The bytes as uploaded',
    content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
  })
  @ApiProblems(400, 401, 403, 404, 410, 503)
  async download(
    @Param('id', IdParam) attachmentId: string,
    @Query() query: DownloadQuery,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    this.links.check(attachmentId, query.token);
    const found = await this.store.get(attachmentId);
    if (!found) {
      // The object store keeps a deleted object's marker: expired by its site's retention, or an
      // unused upload swept away.
      if ((await this.store.info(attachmentId))?.deleted)
        throw new GoneException(
          'This attachment was deleted: its site keeps attachments for a limited time.',
        );
      throw new NotFoundException('This attachment no longer exists.');
    }
    const object = found.info as AttachmentObject;
    await reply
      .header('content-type', object.metadata.contentType)
      .header('content-length', String(object.size))
      .header('content-disposition', disposition(object))
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'; sandbox")
      .header('cache-control', 'private, no-store')
      .send(Readable.fromWeb(found.data as WebReadableStream));
  }
}
