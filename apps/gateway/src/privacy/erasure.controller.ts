import { Controller, Delete, Get, Param, Post, Query } from '@nestjs/common';
import { ConflictException, GoneException } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import {
  CustomerCard,
  CustomerQuery,
  DeclineErasureRequest,
  EraseCustomer,
  ErasureCertificate,
  erasureIdOf,
  ErasureQuery,
  ErasureRequestQuery,
  ErasureRequestsQuery as ErasureRequestsListQuery,
  ErasureRequestView,
  Page,
  PAGE_LIMIT_DEFAULT,
  QuerySubjects,
  RequestErasure,
} from '@parley/contracts';
import { JetStreamPublisher, QueryRejected, unanswered } from '@parley/jetstream';
import { AcceptedAnswer, CommandEndpoint } from '../api/command-endpoint';
import { IdParam } from '../api/id-param.pipe';
import { ApiCustomerIdParam } from '../api/params.doc';
import { ApiProblems } from '../api/problem.doc';
import { CurrentWrite, Idempotent, Write } from '../api/write';
import { Allow } from '../auth/auth';
import {
  ERASURE_ID,
  ERASURE_REQUEST_ID,
  ErasureAccepted,
  ErasureCertificateDoc,
  ErasureRequestDoc,
  ErasureRequestPageDoc,
  ErasureRequestsQuery,
} from './erasure.dto';

/**
 * Erasing a customer everywhere, its certificate, and customers' own requests for it
 * (docs/adr/0014-customer-erasure.md).
 */
@ApiTags('privacy')
@ApiBearerAuth()
@ApiProblems(400, 401, 403, 503)
@Controller('v1')
export class ErasureController {
  constructor(
    private readonly commands: CommandEndpoint,
    private readonly publisher: JetStreamPublisher,
  ) {}

  @Delete('customers/:id')
  @ApiCustomerIdParam()
  @Allow('admin')
  @ApiOperation({
    operationId: 'eraseCustomer',
    summary: 'Erase a customer everywhere',
    description:
      'The customer becomes a tombstone ("Erased customer") and each of their conversations a shell without content (status, times, assignee, team, priority, site and labels stay, so counts stay true); everything with content goes from every store: messages, notes, the search index, ratings, attachments, exports, inbox rows, webhook deliveries, emails sent and received, and (cryptographically) the stream copies. A durable command: it completes whichever service is offline, once it is back. Idempotent: asking again answers the same erasure. `GET /v1/erasures/{id}` is its certificate. Writes into an erased conversation answer 410, and so does reading its messages.',
  })
  @AcceptedAnswer(ErasureAccepted)
  @ApiProblems(404)
  async erase(
    @Param('id', IdParam) customerId: string,
    @CurrentWrite() write: Write,
  ): Promise<ErasureAccepted> {
    // Checked now when the conversation service answers; offline, the erasure is accepted and the
    // service refuses an unknown customer itself.
    await this.publisher
      .query<CustomerCard>(QuerySubjects.customer, { customerId } satisfies CustomerQuery)
      .catch((error: unknown) => {
        if (!unanswered(error)) throw error;
      });
    return this.issue(write, customerId);
  }

  @Get('erasures/:id')
  @ApiParam({ name: 'id', description: 'Erasure id', example: ERASURE_ID })
  @Allow('admin')
  @ApiOperation({
    operationId: 'getErasure',
    summary: 'The certificate of an erasure',
    description:
      'Who asked and when, and for each store (`conversation`, `attachments`, `exports`, `streams`, `history`, `delivery`, `mail`) when it erased its part and how (`deleted`; `cryptographic` for the streams, whose copies age out sealed under destroyed keys); `completedAt` once every store is in.',
  })
  @ApiOkResponse({ type: ErasureCertificateDoc })
  @ApiProblems(404)
  certificate(@Param('id', IdParam) erasureId: string): Promise<ErasureCertificate> {
    return this.publisher.query(QuerySubjects.erasure, { erasureId } satisfies ErasureQuery);
  }

  @Post('me/erasure-request')
  @Allow('customer')
  @ApiOperation({
    operationId: 'requestErasure',
    summary: 'Ask for my data to be erased',
    description:
      'Queues the request for an admin to approve or decline. While one is pending, asking again answers that one.',
  })
  @AcceptedAnswer(ErasureRequestDoc)
  @ApiProblems(410)
  @Idempotent()
  async requestErasure(@CurrentWrite() write: Write): Promise<ErasureRequestView> {
    const customerId = write.principal.id;
    const pending = await this.findRequest({ pendingOf: customerId });
    if (pending) return pending;
    const card = await this.publisher
      .query<CustomerCard>(QuerySubjects.customer, { customerId } satisfies CustomerQuery)
      .catch(() => undefined);
    if (card?.erasedAt) throw new GoneException('You were erased already: Parley holds nothing of yours.');
    const requestId = write.allocate();
    const requestedAt = new Date().toISOString();
    await this.commands.send(write, {
      type: RequestErasure,
      body: { requestId, customerId },
      msgId: requestId,
    });
    return {
      id: requestId,
      customerId,
      status: 'pending',
      requestedAt,
      decidedAt: null,
      decidedBy: null,
      erasureId: null,
    };
  }

  @Get('erasure-requests')
  @Allow('admin')
  @ApiOperation({ operationId: 'listErasureRequests', summary: "Customers' erasure requests, newest first" })
  @ApiOkResponse({ type: ErasureRequestPageDoc })
  requests(@Query() query: ErasureRequestsQuery): Promise<Page<ErasureRequestView>> {
    const request: ErasureRequestsListQuery = {
      status: query.status,
      cursor: query.cursor,
      limit: query.limit ?? PAGE_LIMIT_DEFAULT,
    };
    return this.publisher.query(QuerySubjects.erasureRequests, request);
  }

  @Post('erasure-requests/:id/approve')
  @ApiParam({ name: 'id', description: 'Erasure request id', example: ERASURE_REQUEST_ID })
  @Allow('admin')
  @ApiOperation({
    operationId: 'approveErasureRequest',
    summary: "Approve a customer's erasure request",
    description: 'Issues the erasure, as `DELETE /v1/customers/{id}` does. A declined request answers 409.',
  })
  @AcceptedAnswer(ErasureAccepted)
  @ApiProblems(404, 409)
  async approve(
    @Param('id', IdParam) requestId: string,
    @CurrentWrite() write: Write,
  ): Promise<ErasureAccepted> {
    const request = await this.publisher.query<ErasureRequestView>(QuerySubjects.erasureRequest, {
      requestId,
    } satisfies ErasureRequestQuery);
    if (request.status === 'declined') throw new ConflictException('This erasure request was declined.');
    return this.issue(write, request.customerId, requestId);
  }

  @Post('erasure-requests/:id/decline')
  @ApiParam({ name: 'id', description: 'Erasure request id', example: ERASURE_REQUEST_ID })
  @Allow('admin')
  @ApiOperation({ operationId: 'declineErasureRequest', summary: "Decline a customer's erasure request" })
  @AcceptedAnswer(ErasureRequestDoc)
  @ApiProblems(404, 409)
  async decline(
    @Param('id', IdParam) requestId: string,
    @CurrentWrite() write: Write,
  ): Promise<ErasureRequestView> {
    const request = await this.publisher.query<ErasureRequestView>(QuerySubjects.erasureRequest, {
      requestId,
    } satisfies ErasureRequestQuery);
    if (request.status === 'approved') throw new ConflictException('This erasure request was approved.');
    await this.commands.send(write, {
      type: DeclineErasureRequest,
      body: { requestId },
      msgId: `decline:${requestId}`,
    });
    return { ...request, status: 'declined', decidedBy: write.principal.id };
  }

  /** Sends the erasure (its id follows from the customer's) and answers where it stands. */
  private async issue(write: Write, customerId: string, requestId?: string): Promise<ErasureAccepted> {
    const erasureId = erasureIdOf(customerId);
    await this.commands.send(write, {
      type: EraseCustomer,
      body: { erasureId, customerId, ...(requestId ? { requestId } : {}) },
      msgId: erasureId,
    });
    const certificate = await this.publisher
      .query<ErasureCertificate>(QuerySubjects.erasure, { erasureId } satisfies ErasureQuery)
      .catch(() => undefined);
    return {
      erasureId,
      status: certificate?.completedAt ? 'completed' : 'pending',
      certificateUrl: `/v1/erasures/${erasureId}`,
    };
  }

  private async findRequest(query: ErasureRequestQuery): Promise<ErasureRequestView | undefined> {
    try {
      return await this.publisher.query<ErasureRequestView>(QuerySubjects.erasureRequest, query);
    } catch (error) {
      if (error instanceof QueryRejected && error.status === 404) return undefined;
      if (unanswered(error)) return undefined;
      throw error;
    }
  }
}
