import { BadRequestException, Body, Controller, Get, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  AddNote,
  ConversationMessagesQuery,
  EventTypes,
  MessageView,
  PAGE_LIMIT_DEFAULT,
  Page,
  PostMessage,
  Principal,
  QuerySubjects,
} from '@parley/contracts';
import { JetStreamPublisher } from '@parley/jetstream';
import { SERVICE_CONFIG } from '@parley/runtime';
import { AttachmentLinks } from '../attachments/attachment-links';
import { GatewayEnv } from '../gateway.env';
import { AcceptedAnswer } from '../api/command-endpoint';
import { IdParam } from '../api/id-param.pipe';
import { ApiConversationIdParam } from '../api/params.doc';
import { ApiPreferWait } from '../api/prefer-wait.doc';
import { ApiProblems } from '../api/problem.doc';
import { CurrentWrite, Idempotent, Write } from '../api/write';
import { Allow, CurrentPrincipal } from '../auth/auth';
import { Audited, pathId, READ_BY_STAFF } from '../audit/audited';
import { ConversationPrecheck } from '../conversations/conversation-precheck';
import {
  ListMessagesQuery,
  MessageAccepted,
  MessageItem,
  MessagePage,
  NoteRequest,
  PostMessageRequest,
} from './messages.dto';
import { StoredEntries } from '../conversations/stored-entries';

const STORED = 'With `Prefer: wait=N`: stored in the conversation, with its seq';

/** A conversation's messages and private notes. */
@ApiTags('conversations')
@ApiBearerAuth()
@ApiProblems(400, 401, 403, 404, 413, 422, 503)
@Controller('v1/conversations/:id')
export class MessagesController {
  constructor(
    private readonly publisher: JetStreamPublisher,
    private readonly precheck: ConversationPrecheck,
    private readonly entries: StoredEntries,
    private readonly links: AttachmentLinks,
    @Inject(SERVICE_CONFIG) private readonly config: GatewayEnv,
  ) {}

  @Post('messages')
  @ApiConversationIdParam()
  @Allow('customer', 'agent')
  @ApiOperation({ operationId: 'postMessage', summary: 'Post a message' })
  @AcceptedAnswer(
    MessageAccepted,
    'Stored in JetStream. A customer writing into a resolved, snoozed or pending conversation opens it again.',
  )
  @ApiPreferWait(MessageItem, STORED)
  @ApiProblems(410)
  @Idempotent()
  async post(
    @Param('id', IdParam) conversationId: string,
    @Body() body: PostMessageRequest,
    @CurrentWrite() write: Write,
  ): Promise<MessageAccepted | MessageItem> {
    if ((body.attachments?.length ?? 0) > this.config.PARLEY_ATTACHMENTS_PER_MESSAGE_MAX)
      throw new BadRequestException(
        `A message carries at most ${this.config.PARLEY_ATTACHMENTS_PER_MESSAGE_MAX} attachments.`,
      );
    await this.precheck.check({ principal: write.principal, conversationId });
    const messageId = write.allocate();
    return this.entries.store(write, messageId, PostMessage, { ...body, conversationId, messageId }, [
      EventTypes.messageCreated,
      EventTypes.messageRejected,
    ]);
  }

  @Get('messages')
  @ApiConversationIdParam()
  @Allow('customer', 'agent')
  @ApiOperation({ operationId: 'listMessages', summary: 'Read the messages of a conversation' })
  @ApiOkResponse({ type: MessagePage, description: 'Ordered by seq; agents see private notes inline' })
  @Audited('conversation.read', pathId('conversation'), READ_BY_STAFF)
  async list(
    @Param('id', IdParam) conversationId: string,
    @Query() query: ListMessagesQuery,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Page<MessageView>> {
    if (query.after !== undefined && query.before !== undefined) {
      throw new BadRequestException('Use either `after` or `before`, not both.');
    }
    const request: ConversationMessagesQuery = {
      principal,
      conversationId,
      after: query.after,
      before: query.before,
      limit: query.limit ?? PAGE_LIMIT_DEFAULT,
    };
    const page = await this.publisher.query<Page<MessageView>>(QuerySubjects.conversationMessages, request);
    return { ...page, items: this.links.withUrls(page.items) };
  }

  @Post('notes')
  @ApiConversationIdParam()
  @Allow('agent')
  @ApiOperation({ operationId: 'addNote', summary: 'Add a private note' })
  @AcceptedAnswer(MessageAccepted, 'A private note: agents see it, customers never do')
  @ApiPreferWait(MessageItem, STORED)
  @ApiProblems(410)
  @Idempotent()
  async note(
    @Param('id', IdParam) conversationId: string,
    @Body() body: NoteRequest,
    @CurrentWrite() write: Write,
  ): Promise<MessageAccepted | MessageItem> {
    await this.precheck.check({ principal: write.principal, conversationId });
    const noteId = write.allocate();
    return this.entries.store(write, noteId, AddNote, { ...body, conversationId, noteId }, [
      EventTypes.noteCreated,
    ]);
  }
}
