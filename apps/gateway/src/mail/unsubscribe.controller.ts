import { BadRequestException, Controller, Get, HttpCode, Inject, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { UnsubscribeCustomer } from '@parley/contracts';
import { InvalidLink, LinkSigner } from '@parley/secrets';
import { CommandEndpoint } from '../api/command-endpoint';
import { ApiProblems } from '../api/problem.doc';
import { Write } from '../api/write';

const TOKEN_DOC = {
  name: 'token',
  required: true,
  description: 'The signed token of the List-Unsubscribe link in a notification (purpose `unsubscribe`)',
};

function page(title: string, body: string): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
    `<title>${title}</title></head><body style="font-family:sans-serif;max-width:32rem;margin:3rem auto">` +
    `${body}</body></html>`
  );
}

/**
 * The unsubscribe link of every email. POST is RFC 8058's one-click (mail clients send
 * `List-Unsubscribe=One-Click`); GET only shows a page whose button POSTs, since link scanners
 * fetch links in mail and must not unsubscribe anyone.
 */
@ApiTags('mail')
@Controller('v1/mail/unsubscribe')
export class UnsubscribeController {
  constructor(
    private readonly commands: CommandEndpoint,
    @Inject(LinkSigner) private readonly signer: LinkSigner,
  ) {}

  @Get()
  @ApiOperation({
    operationId: 'showUnsubscribePage',
    summary: 'The page behind an email’s unsubscribe link',
    description: 'Changes nothing: a page with a button that unsubscribes (POST to the same address).',
  })
  @ApiQuery(TOKEN_DOC)
  @ApiProduces('text/html')
  @ApiOkResponse({ description: 'The page', content: { 'text/html': { schema: { type: 'string' } } } })
  @ApiProblems(400)
  page(@Query('token') token: string | undefined, @Res({ passthrough: true }) reply: FastifyReply): string {
    this.customerOf(token);
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store');
    return page(
      'Stop emails',
      '<h1>Stop emails about your conversations?</h1>' +
        '<p>You will no longer be emailed when a reply is waiting for you.</p>' +
        `<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click">` +
        '<button type="submit">Unsubscribe</button></form>',
    );
  }

  @Post()
  @HttpCode(202)
  @ApiOperation({
    operationId: 'unsubscribeFromMail',
    summary: 'Unsubscribe a customer from email (RFC 8058 one-click)',
    description:
      'The customer the token names gets no more emails. Mail clients send the form body `List-Unsubscribe=One-Click` (application/x-www-form-urlencoded or multipart/form-data); the token alone decides. Repeating it changes nothing.',
  })
  @ApiQuery(TOKEN_DOC)
  @ApiProduces('text/html')
  @ApiAcceptedResponse({
    description: 'Unsubscribed',
    content: { 'text/html': { schema: { type: 'string' } } },
  })
  @ApiProblems(400, 503)
  async unsubscribe(
    @Query('token') token: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const customerId = this.customerOf(token);
    // The signed link stands for the customer it names.
    const write = new Write(
      { id: customerId, role: 'customer' },
      'POST /v1/mail/unsubscribe',
      undefined,
      undefined,
      reply,
    );
    await this.commands.send(write, {
      type: UnsubscribeCustomer,
      body: { customerId },
      msgId: `unsubscribe:${customerId}`,
    });
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store');
    return page('Unsubscribed', '<h1>You are unsubscribed</h1><p>You will get no more emails from us.</p>');
  }

  private customerOf(token: string | undefined): string {
    if (!token)
      throw new BadRequestException('The unsubscribe link has no token: use the link from the email.');
    try {
      const { customerId } = this.signer.verify<{ customerId?: unknown }>('unsubscribe', token);
      if (typeof customerId === 'string' && customerId) return customerId;
    } catch (error) {
      if (!(error instanceof InvalidLink)) throw error;
    }
    throw new BadRequestException('This unsubscribe link is not valid: use the link from the email.');
  }
}
