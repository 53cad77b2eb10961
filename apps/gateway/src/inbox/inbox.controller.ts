import {
  BadRequestException,
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
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
import { Allow, CurrentPrincipal } from '../auth/auth';
import { AppliedEvents } from '../http/applied-events';
import { CommandSender } from '../http/command-sender';
import { ApiPreferWait } from '../http/prefer-wait.doc';
import { CONVERSATION_ID, EVENT_ID, INBOX_CURSOR, MESSAGE_CREATED_DATA, REPLIED_AT } from '../http/examples';
import { IdAllocator } from '../http/ids';
import { PageQuery } from '../conversations/conversations.dto';
import { ApiProblems } from '../http/problem.doc';
import { ApiListCursor } from '../http/params.doc';
import { LiveInbox } from './live-inbox';

const HEARTBEAT_MS = 15_000;
const STREAM_PAGE = PAGE_LIMIT_MAX;

export class InboxRequest extends PageQuery {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: 30,
    description: 'Seconds to hold the request when nothing is new; it returns as soon as something arrives',
    example: 25,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(30)
  wait?: number;
}

export class StreamRequest {
  @ApiPropertyOptional({
    description: 'Resume after this cursor (Last-Event-ID wins when both are given)',
    example: INBOX_CURSOR,
  })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  cursor?: string;
}

export class AckRequest {
  @ApiProperty({
    example: INBOX_CURSOR,
    description: 'Everything up to and including this cursor counts as delivered',
  })
  @IsString()
  @Length(1, 200)
  cursor: string;
}

export class InboxEvent {
  @ApiProperty({ example: EVENT_ID, description: '`<type>:<entity id>`, the same in webhooks' }) id: string;
  @ApiProperty({ example: INBOX_CURSOR, description: 'Its position in this inbox; also its SSE `id:`' })
  cursor: string;
  @ApiProperty({ example: 'message.created' }) type: string;
  @ApiProperty({ nullable: true, type: String, example: CONVERSATION_ID }) conversationId: string | null;
  @ApiProperty({ format: 'date-time', example: REPLIED_AT }) occurredAt: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: MESSAGE_CREATED_DATA,
    description: 'Depends on `type`: for `message.created` and `note.created`, the stored message',
  })
  data: Record<string, unknown>;
}

export class InboxResponse {
  @ApiProperty({ type: [InboxEvent] }) events: InboxEvent[];
  @ApiProperty({
    nullable: true,
    type: String,
    example: INBOX_CURSOR,
    description: 'Pass as `cursor` to continue; stays put when nothing new came',
  })
  nextCursor: string | null;
}

class AckAccepted {
  @ApiProperty({ example: INBOX_CURSOR }) cursor: string;
}

@ApiTags('inbox')
@ApiBearerAuth()
@ApiProblems(400, 401, 403, 503)
@Controller('v1/inbox')
export class InboxController {
  constructor(
    private readonly publisher: JetStreamPublisher,
    private readonly live: LiveInbox,
    private readonly commands: CommandSender,
    private readonly applied: AppliedEvents,
  ) {}

  private page(principal: Principal, cursor: string | undefined, limit: number): Promise<InboxPage> {
    const request: InboxQuery = { principal, cursor, limit };
    return this.publisher.query<InboxPage>(QuerySubjects.inbox, request);
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
      'Server-Sent Events: first the backlog after the cursor, then live. Each `id:` is the event’s cursor, `event:` its type, `data:` the event. A comment line every 15 s keeps proxies from closing it.',
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
    raw.on('close', () => {
      open = false;
      feed.close();
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
          if (!open || this.live.shuttingDown) break;
        }
        backlog = await this.page(principal, cursor, STREAM_PAGE);
      }
    } catch {
      // The inbox became unreachable mid-stream: end it; the client resumes from its Last-Event-ID.
    } finally {
      clearInterval(heartbeat);
      feed.close();
      if (!raw.writableEnded) raw.end();
    }
  }

  @Post('ack')
  @HttpCode(202)
  @Allow('customer', 'agent')
  @ApiOperation({ operationId: 'ackInbox', summary: 'Acknowledge inbox events up to a cursor' })
  @ApiAcceptedResponse({
    type: AckAccepted,
    description: 'Sets deliveredAt on the receipts of the messages up to the cursor',
  })
  @ApiPreferWait(AckAccepted, 'With `Prefer: wait=N`: the receipts are marked delivered', 200)
  async ack(
    @Body() body: AckRequest,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Headers('prefer') prefer?: string,
  ): Promise<AckAccepted> {
    const position = inboxPosition(body.cursor);
    if (!position) throw new BadRequestException('The cursor was not issued by this inbox.');
    const command: Omit<AckInbox, 'issuedBy' | 'acceptedAt'> = { principalId: principal.id, position };
    const msgId = new IdAllocator(principal, 'POST /v1/inbox/ack', `${position}`).allocate();
    const acked = { cursor: body.cursor };
    return this.applied.confirm(prefer, reply, acked, (notice) =>
      this.commands.send(AckInbox, command, principal, msgId, notice),
    );
  }
}
