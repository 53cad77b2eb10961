import { Body, Controller, Get, Headers, HttpCode, Inject, Post, Query, Res } from '@nestjs/common';
import { ApiBasicAuth, ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import {
  Page,
  Principal,
  QuerySubjects,
  ReceiveMail,
  receiveMailOf,
  UnmatchedMailView,
} from '@parley/contracts';
import { JetStreamPublisher } from '@parley/jetstream';
import { SERVICE_CONFIG } from '@parley/runtime';
import { CommandSender } from '../api/command-sender';
import { PageQuery, pageOf } from '../api/paging';
import { ApiListCursor } from '../api/params.doc';
import { ApiProblems } from '../api/problem.doc';
import { providerPayloadValidation } from '../api/validation';
import { Allow, CurrentPrincipal } from '../auth/auth';
import { GatewayEnv } from '../gateway.env';
import { MailReceived, PostmarkInbound, UNMATCHED_CURSOR, UnmatchedMailPage } from './inbound-mail.dto';
import { readPostmarkMail } from './postmark-mail';
import { WebhookCredentials } from './webhook-credentials';

/** Who issues the ReceiveMail of an email Postmark posted. */
const POSTMARK_WEBHOOK: Principal = { id: 'postmark-webhook', role: 'admin' };

/**
 * Replies by email that arrive through a provider (Postmark's inbound webhook), and the emails the
 * mail service could not match, for the admin. The SMTP listener of the mail process is the other
 * way in; both send the same ReceiveMail, keyed by the email's Message-ID.
 */
@ApiTags('mail')
@Controller('v1/mail')
export class InboundMailController {
  private readonly credentials: WebhookCredentials;

  constructor(
    private readonly sender: CommandSender,
    private readonly publisher: JetStreamPublisher,
    @Inject(SERVICE_CONFIG) config: GatewayEnv,
  ) {
    this.credentials = new WebhookCredentials(config.PARLEY_MAIL_INBOUND_WEBHOOK_SECRET);
  }

  @Post('inbound/postmark')
  @HttpCode(200)
  @ApiBasicAuth()
  @ApiProblems(400, 401, 404, 413, 503)
  @ApiOperation({
    operationId: 'receivePostmarkInbound',
    summary: "Postmark's inbound webhook: an email to a reply address",
    description:
      'Set as the inbound webhook URL of a Postmark server, with the HTTP Basic credentials of `PARLEY_MAIL_INBOUND_WEBHOOK_SECRET` in it ' +
      '(`https://user:password@host/v1/mail/inbound/postmark`); without that setting the route answers 404. ' +
      'Answered 200 once the email is stored durably; the mail service then adds its new text (quoted history and signature stripped) ' +
      "to the conversation of the reply address as the customer's message, or keeps it as unmatched (`GET /v1/mail/unmatched`). " +
      'The same email (by its `Message-ID`) delivered again, by Postmark or over SMTP, creates nothing. ' +
      'Fields Parley does not read are ignored. The payload is bounded by `PARLEY_BODY_LIMIT_BYTES` (413 above it).',
  })
  @ApiBody({ type: PostmarkInbound })
  @ApiOkResponse({ type: MailReceived, description: 'Stored; the mail service handles it' })
  async postmark(
    @Headers('authorization') authorization: string | undefined,
    // Validated here, against the fields Parley reads: the global pipe would refuse Postmark's others.
    @Body() payload: Record<string, unknown>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<MailReceived> {
    try {
      this.credentials.check(authorization);
    } catch (error) {
      reply.header('www-authenticate', 'Basic realm="Parley inbound mail"');
      throw error;
    }
    const inbound: PostmarkInbound = await providerPayloadValidation.transform(payload, {
      type: 'body',
      metatype: PostmarkInbound,
    });
    const mail = receiveMailOf(readPostmarkMail(inbound), new Date());
    await this.sender.send(ReceiveMail, mail, POSTMARK_WEBHOOK, `mail:${mail.id}`);
    return { id: mail.id, messageId: mail.messageId };
  }

  @Get('unmatched')
  @ApiBearerAuth()
  @Allow('admin')
  @ApiProblems(400, 401, 403, 503)
  @ApiOperation({
    operationId: 'listUnmatchedMail',
    summary: 'List emails that could not be matched to a conversation',
    description:
      'Emails for the reply domain that did not become a message (a forged reply address, a sender other than the customer, nothing new written…), newest first, with why.',
  })
  @ApiOkResponse({ type: UnmatchedMailPage })
  @ApiListCursor(UNMATCHED_CURSOR)
  unmatched(
    @Query() query: PageQuery,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Page<UnmatchedMailView>> {
    return this.publisher.query(QuerySubjects.unmatchedMail, { principal, ...pageOf(query) });
  }
}
