import { Controller, Get, HttpCode, NotFoundException, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import {
  CustomerQuery,
  EXPORT_MAX_AGE_DAYS,
  ExportCustomer,
  ExportRequest,
  Principal,
  QuerySubjects,
} from '@parley/contracts';
import { JetStreamPublisher, unanswered } from '@parley/jetstream';
import type { FastifyReply } from 'fastify';
import { CommandEndpoint } from '../api/command-endpoint';
import { IdParam } from '../api/id-param.pipe';
import { ApiCustomerIdParam } from '../api/params.doc';
import { ApiProblems } from '../api/problem.doc';
import { CurrentWrite, Idempotent, Write } from '../api/write';
import { Allow, CurrentPrincipal } from '../auth/auth';
import { ExportArchive } from './export-archive';
import { ExportLinks } from './export-links';
import { ExportStore } from './export-store';
import { ArchiveQuery, EXPORT_ID, ExportAccepted, ExportStatus } from './exports.dto';

const DAY_MS = 24 * 60 * 60 * 1000;

const ExportIdParam = () => ApiParam({ name: 'id', description: 'Export id', example: EXPORT_ID });

const NOT_FOUND = 'There is no such export, or it has expired.';

/**
 * Everything Parley holds about a customer, in one archive: asked for by an admin or by the
 * customer, written part by part by the services that hold it, downloaded through a signed link.
 * See docs/adr/0016-customer-export.md.
 */
@ApiTags('exports')
@Controller('v1')
export class ExportsController {
  constructor(
    private readonly commands: CommandEndpoint,
    private readonly publisher: JetStreamPublisher,
    private readonly store: ExportStore,
    private readonly links: ExportLinks,
    private readonly archive: ExportArchive,
  ) {}

  @Post('customers/:id/export')
  @ApiBearerAuth()
  @ApiCustomerIdParam()
  @Allow('admin')
  @HttpCode(202)
  @ApiOperation({
    operationId: 'exportCustomer',
    summary: 'Export everything Parley holds about a customer',
    description: `Asynchronous: poll the status resource (\`GET /v1/exports/{id}\`) until it is \`ready\`, then download the archive from its \`url\`. The archive is a zip of \`export.json\` (the profile, each conversation with its status, times, labels and rating, its messages and notes, notes marked \`internal: true\`, with receipts and attachments, and the emails sent to the customer) and each attachment's file under \`attachments/<id>-<name>\`. Each service writes its part from a durable consumer, so an export asked for while one is offline completes when it returns. Kept for ${EXPORT_MAX_AGE_DAYS} days.`,
  })
  @ApiAcceptedResponse({ type: ExportAccepted })
  @ApiProblems(400, 401, 403, 404, 503)
  @Idempotent()
  async exportCustomer(
    @Param('id', IdParam) customerId: string,
    @CurrentWrite() write: Write,
  ): Promise<ExportAccepted> {
    // An unknown customer is a 404 when the conversation service answers; while it is away the
    // export is accepted and comes out with no profile and no conversations.
    const query: CustomerQuery = { customerId };
    await this.publisher.query(QuerySubjects.customer, query).catch((error: unknown) => {
      if (!unanswered(error)) throw error;
    });
    return this.start(write, customerId);
  }

  @Post('me/export')
  @ApiBearerAuth()
  @Allow('customer')
  @HttpCode(202)
  @ApiOperation({
    operationId: 'exportMyData',
    summary: 'Export everything Parley holds about me (the calling customer)',
    description:
      'As `POST /v1/customers/{id}/export`, for the customer the token belongs to: poll `GET /v1/exports/{id}`, then download from its `url`.',
  })
  @ApiAcceptedResponse({ type: ExportAccepted })
  @ApiProblems(400, 401, 403, 503)
  @Idempotent()
  exportMyData(@CurrentWrite() write: Write): Promise<ExportAccepted> {
    return this.start(write, write.principal.id);
  }

  @Get('exports/:id')
  @ApiBearerAuth()
  @ExportIdParam()
  @Allow('admin', 'customer')
  @ApiOperation({
    operationId: 'getExport',
    summary: "An export's status, and its download link once ready",
    description:
      '`pending` lists the parts written so far; `ready` carries `url`, a signed link to the archive that works without a bearer token for PARLEY_EXPORT_URL_TTL_SECONDS (ask again for a fresh one). A customer sees only their own exports.',
  })
  @ApiOkResponse({ type: ExportStatus })
  @ApiProblems(400, 401, 403, 404, 503)
  async status(
    @Param('id', IdParam) exportId: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ExportStatus> {
    const request =
      principal.role === 'customer'
        ? await this.store.request(principal.id, exportId)
        : await this.store.find(exportId);
    if (!request) throw new NotFoundException(NOT_FOUND);
    const parts = await this.store.partsIn(request);
    const ready = parts.length === 3;
    return {
      id: request.exportId,
      customerId: request.customerId,
      status: ready ? 'ready' : 'pending',
      parts,
      requestedBy: request.requestedBy,
      requestedAt: request.requestedAt,
      expiresAt: new Date(Date.parse(request.requestedAt) + EXPORT_MAX_AGE_DAYS * DAY_MS).toISOString(),
      ...(ready && this.links.url(request)),
    };
  }

  @Get('exports/:id/archive')
  @ExportIdParam()
  @ApiOperation({
    operationId: 'downloadExport',
    security: [],
    summary: 'Download an export through its signed link',
    description:
      "No bearer token: `token` is the signature of the export's `url`. The zip is built as it is sent: `export.json` and `attachments/<id>-<name>`. An expired link is refused with 401, an altered or foreign one with 403; an export that expired or was erased is 404.",
  })
  @ApiProduces('application/zip')
  @ApiResponse({
    status: 200,
    description: 'The archive',
    content: { 'application/zip': { schema: { type: 'string', format: 'binary' } } },
  })
  @ApiProblems(400, 401, 403, 404, 503)
  async download(
    @Param('id', IdParam) exportId: string,
    @Query() query: ArchiveQuery,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const link = this.links.check(exportId, query.token);
    const request = await this.store.request(link.customerId, exportId);
    const parts = request && (await this.store.parts(request));
    if (!request || !parts) throw new NotFoundException(NOT_FOUND);
    const zip = this.archive.stream(request, parts);
    await reply
      .header('content-type', 'application/zip')
      .header('content-disposition', `attachment; filename="parley-export-${exportId}.zip"`)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'private, no-store')
      .send(zip);
  }

  /**
   * Records the request, then sends the command: the status resource answers from the 202 on, and
   * a retry with the same Idempotency-Key (the same id) records and sends the same export again.
   */
  private async start(write: Write, customerId: string): Promise<ExportAccepted> {
    const exportId = write.allocate();
    const request: ExportRequest = {
      exportId,
      customerId,
      requestedBy: { kind: write.principal.role, id: write.principal.id },
      requestedAt: new Date().toISOString(),
    };
    const earlier = await this.store.request(customerId, exportId);
    if (!earlier) await this.store.record(request);
    await this.commands.send(write, {
      type: ExportCustomer,
      body: { exportId, customerId },
      msgId: exportId,
    });
    return { id: exportId, status: 'pending', statusUrl: `/v1/exports/${exportId}` };
  }
}
