import { BadRequestException, Body, Controller, Get, Headers, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import {
  AckInbox,
  inboxPosition,
  InboxPage,
  InboxQuery,
  PAGE_LIMIT_DEFAULT,
  PAGE_LIMIT_MAX,
  Principal,
  QuerySubjects,
} from '@parley/contracts';
import { JetStreamPublisher } from '@parley/jetstream';
import { AcceptedAnswer, CommandEndpoint } from '../api/command-endpoint';
import { INBOX_CURSOR } from '../api/examples';
import { ApiListCursor } from '../api/params.doc';
import { ApiPreferWait } from '../api/prefer-wait.doc';
import { ApiProblems } from '../api/problem.doc';
import { CurrentWrite, Write } from '../api/write';
import { AttachmentLinks } from '../attachments/attachment-links';
import { Allow, CurrentPrincipal } from '../auth/auth';
import { AckAccepted, AckRequest, InboxRequest, InboxResponse, StreamRequest } from './inbox.dto';
import { TypingRelay } from '../typing/typing-relay';
import { LiveInbox } from './live-inbox';

const HEARTBEAT_MS = 15_000;
const STREAM_PAGE = PAGE_LIMIT_MAX;

@ApiTags('inbox')
@ApiBearerAuth()
@ApiProblems(400, 401, 403, 503)
@Controller('v1/inbox')
export class InboxController {
  constructor(
    private readonly publisher: JetStreamPublisher,
    private readonly live: LiveInbox,
    private readonly commands: CommandEndpoint,
    private readonly links: AttachmentLinks,
    private readonly typing: TypingRelay,
  ) {}

  /** A page of the inbox; the attachments of its messages get download links (the reader is a participant). */
  private async page(principal: Principal, cursor: string | undefined, limit: number): Promise<InboxPage> {
    const request: InboxQuery = { principal, cursor, limit };
    const page = await this.publisher.query<InboxPage>(QuerySubjects.inbox, request);
    return { ...page, events: this.links.withEventUrls(page.events) };
  }

  @Get()
  @ApiListCursor(INBOX_CURSOR)
  @Allow('customer', 'agent')
  @ApiOperation({ operationId: 'readInbox', summary: 'Read the inbox, or wait for something new' })
  @ApiOkResponse({
    type: InboxResponse,
    description: 'Events in cursor order, from the beginning without a cursor',
  })
  async read(@Query() query: InboxRequest, @CurrentPrincipal() principal: Principal): Promise<InboxPage> {
    const limit = query.limit ?? PAGE_LIMIT_DEFAULT;
    if (!query.wait) return this.page(principal, query.cursor, limit);
    const feed = this.live.follow(principal.id, 'long_poll');
    try {
      const first = await this.page(principal, query.cursor, limit);
      if (first.events.length || this.live.shuttingDown) return first;
      await feed.next(query.wait * 1000);
      return await this.page(principal, query.cursor, limit);
    } finally {
      feed.close();
    }
  }

  @Get('stream')
  @Allow('customer', 'agent')
  @ApiOperation({ operationId: 'streamInbox', summary: 'Stream the inbox (Server-Sent Events)' })
  @ApiHeader({
    name: 'Last-Event-ID',
    required: false,
    description: 'Resume after this event’s cursor',
    example: INBOX_CURSOR,
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({
    description:
      'Server-Sent Events: first the backlog after the cursor, then live. Each `id:` is the event’s cursor, `event:` its type, `data:` the event. A comment line every 15 s keeps proxies from closing it. Also `event: typing` without `id:`, ephemeral and never in the inbox: `data:` is `{conversationId, authorId, authorRole, at}`, someone on the other side is typing (`POST /v1/conversations/{id}/typing`).',
  })
  async stream(
    @Query() query: StreamRequest,
    @Headers('last-event-id') lastEventId: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    let cursor = lastEventId || query.cursor;
    const feed = this.live.follow(principal.id, 'stream');
    let backlog: InboxPage;
    try {
      // The first page is read before the stream opens, so a bad cursor is still a 400 problem.
      backlog = await this.page(principal, cursor, STREAM_PAGE);
    } catch (error) {
      feed.close();
      throw error;
    }
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    raw.write('retry: 2000\n\n');
    let open = true;
    const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), HEARTBEAT_MS);
    // No `id:`: a typing signal is no inbox event, and resuming from it would lose the cursor.
    const stopTyping = this.typing.listen(principal.id, ({ conversationId, authorId, authorRole, at }) => {
      if (open)
        raw.write(`event: typing\ndata: ${JSON.stringify({ conversationId, authorId, authorRole, at })}\n\n`);
    });
    raw.on('close', () => {
      open = false;
      feed.close();
      stopTyping();
      clearInterval(heartbeat);
    });
    try {
      for (;;) {
        for (const event of backlog.events) {
          raw.write(`id: ${event.cursor}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
        }
        cursor = backlog.nextCursor ?? cursor;
        if (backlog.events.length < STREAM_PAGE) {
          await feed.next(HEARTBEAT_MS);
          if (!open || this.live.shuttingDown || feed.revoked) break;
        }
        backlog = await this.page(principal, cursor, STREAM_PAGE);
      }
    } catch {
      // The inbox became unreachable mid-stream: end it; the client resumes from its Last-Event-ID.
    } finally {
      clearInterval(heartbeat);
      stopTyping();
      feed.close();
      if (!raw.writableEnded) raw.end();
    }
  }

  @Post('ack')
  @Allow('customer', 'agent')
  @ApiOperation({ operationId: 'ackInbox', summary: 'Acknowledge inbox events up to a cursor' })
  @AcceptedAnswer(AckAccepted, 'Sets deliveredAt on the receipts of the messages up to the cursor')
  @ApiPreferWait(AckAccepted, 'With `Prefer: wait=N`: the receipts are marked delivered', 200)
  ack(@Body() body: AckRequest, @CurrentWrite() write: Write): Promise<AckAccepted> {
    const position = inboxPosition(body.cursor);
    if (!position) throw new BadRequestException('The cursor was not issued by this inbox.');
    const command = { principalId: write.principal.id, position };
    // One id per position: acking the same cursor again is a duplicate JetStream drops.
    const msgId = write.idFor(`${position}`);
    return this.commands.confirm(write, { type: AckInbox, body: command, msgId }, { cursor: body.cursor });
  }
}
