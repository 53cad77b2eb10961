import {
  BadRequestException,
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import {
  ConversationMessagesQuery,
  OpenConversation,
  PAGE_LIMIT_DEFAULT,
  Page,
  PostMessage,
  Principal,
  QuerySubjects,
  MessageView,
} from '@parley/contracts';
import { JetStreamPublisher } from '@parley/jetstream';
import { Allow, CurrentPrincipal } from '../auth/auth';
import { CommandSender } from '../http/command-sender';
import { IdParam } from '../http/id-param.pipe';
import { IdAllocator, idempotencyKey } from '../http/ids';
import {
  ConversationOpened,
  ListMessagesQuery,
  MessageAccepted,
  MessagePage,
  OpenConversationRequest,
  PostMessageRequest,
} from './conversations.dto';

@ApiTags('conversations')
@ApiBearerAuth()
@Controller('v1/conversations')
export class ConversationsController {
  constructor(
    private readonly commands: CommandSender,
    private readonly publisher: JetStreamPublisher,
  ) {}

  @Post()
  @HttpCode(202)
  @Allow('customer')
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiAcceptedResponse({
    type: ConversationOpened,
    description: 'Stored in JetStream; the conversation service opens it',
  })
  async open(
    @Body() body: OpenConversationRequest,
    @CurrentPrincipal() customer: Principal,
    @Headers('idempotency-key') key?: string,
  ): Promise<ConversationOpened> {
    const ids = new IdAllocator(customer, 'POST /v1/conversations', idempotencyKey(key));
    const conversationId = ids.allocate();
    const messageId = ids.allocate();
    const command: Omit<OpenConversation, 'issuedBy' | 'acceptedAt'> = {
      conversationId,
      messageId,
      subject: body.subject,
      body: body.body,
      priority: body.priority ?? 'normal',
    };
    await this.commands.send(OpenConversation, command, customer, conversationId);
    return { id: conversationId, messageId };
  }

  @Post(':id/messages')
  @HttpCode(202)
  @Allow('customer', 'agent')
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiAcceptedResponse({
    type: MessageAccepted,
    description:
      'Stored in JetStream; a message into a conversation the author may not write to is rejected later, with a reason',
  })
  async post(
    @Param('id', IdParam) conversationId: string,
    @Body() body: PostMessageRequest,
    @CurrentPrincipal() author: Principal,
    @Headers('idempotency-key') key?: string,
  ): Promise<MessageAccepted> {
    const messageId = new IdAllocator(
      author,
      `POST /v1/conversations/${conversationId}/messages`,
      idempotencyKey(key),
    ).allocate();
    const command: Omit<PostMessage, 'issuedBy' | 'acceptedAt'> = {
      conversationId,
      messageId,
      body: body.body,
    };
    await this.commands.send(PostMessage, command, author, messageId);
    return { id: messageId };
  }

  @Get(':id/messages')
  @Allow('customer', 'agent')
  @ApiOkResponse({ type: MessagePage })
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
    return this.publisher.query<Page<MessageView>>(QuerySubjects.conversationMessages, request);
  }
}
