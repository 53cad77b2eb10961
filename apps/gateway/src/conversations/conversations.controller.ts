import { ApiProblems } from '../http/problem.doc';
import {
  BadRequestException,
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  AddNote,
  AssignConversation,
  ChangePriority,
  ChangeStatus,
  ConversationListQuery,
  ConversationMessagesQuery,
  ConversationView,
  DomainEvent,
  eventId,
  EventTypes,
  MarkRead,
  MessageRejectedData,
  MessageStatusView,
  MessageView,
  OpenConversation,
  PAGE_LIMIT_DEFAULT,
  Page,
  PostMessage,
  Principal,
  QuerySubjects,
  StoredMessageData,
  TransferConversation,
} from '@parley/contracts';
import { BrokerUnavailable, JetStreamPublisher, QueryRejected } from '@parley/jetstream';
import { Allow, CurrentPrincipal } from '../auth/auth';
import { AppliedEvents, SendCommand } from '../http/applied-events';
import { CommandSender } from '../http/command-sender';
import { IdParam } from '../http/id-param.pipe';
import { IdAllocator, idempotencyKey } from '../http/ids';
import { ApiIdempotencyKey } from '../http/idempotency.doc';
import { ApiPreferWait } from '../http/prefer-wait.doc';
import { ConversationPrecheck } from './conversation-precheck';
import {
  AssignmentRequest,
  ChangedConversation,
  ConversationChangeAccepted,
  ConversationItem,
  ConversationOpened,
  ConversationPage,
  ListConversationsQuery,
  ListMessagesQuery,
  MessageAccepted,
  MessageItem,
  MessagePage,
  NoteRequest,
  OpenedConversation,
  OpenConversationRequest,
  PostMessageRequest,
  PriorityRequest,
  ReadRequest,
  StatusRequest,
  TransferRequest,
} from './conversations.dto';
import { ApiConversationIdParam } from '../http/params.doc';

const MAX_SNOOZE_MS = 366 * 24 * 3600 * 1000;

const CHANGED =
  'With `Prefer: wait=N`: applied (or already so), as `GET /v1/conversations/{id}` now shows it';

@ApiTags('conversations')
@ApiBearerAuth()
@ApiProblems(400, 401, 403, 404, 413, 422, 503)
@Controller('v1/conversations')
export class ConversationsController {
  constructor(
    private readonly commands: CommandSender,
    private readonly publisher: JetStreamPublisher,
    private readonly precheck: ConversationPrecheck,
    private readonly applied: AppliedEvents,
  ) {}

  private ids(principal: Principal, route: string, key?: string): IdAllocator {
    return new IdAllocator(principal, route, idempotencyKey(key));
  }

  @Post()
  @HttpCode(202)
  @Allow('customer')
  @ApiOperation({ operationId: 'openConversation', summary: 'Open a conversation with its first message' })
  @ApiIdempotencyKey()
  @ApiAcceptedResponse({
    type: ConversationOpened,
    description: 'Stored in JetStream; the conversation service opens it',
  })
  @ApiPreferWait(
    OpenedConversation,
    'With `Prefer: wait=N`: opened, as `GET /v1/conversations/{id}` shows it, with its first message id',
  )
  async open(
    @Body() body: OpenConversationRequest,
    @CurrentPrincipal() customer: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Headers('idempotency-key') key?: string,
    @Headers('prefer') prefer?: string,
  ): Promise<ConversationOpened | OpenedConversation> {
    const ids = this.ids(customer, 'POST /v1/conversations', key);
    const conversationId = ids.allocate();
    const messageId = ids.allocate();
    const command: Omit<OpenConversation, 'issuedBy' | 'acceptedAt'> = {
      conversationId,
      messageId,
      subject: body.subject,
      body: body.body,
      priority: body.priority ?? 'normal',
    };
    return this.applied.answer({
      prefer,
      reply,
      expected: [
        { type: EventTypes.conversationCreated, id: eventId(EventTypes.conversationCreated, conversationId) },
      ],
      send: (notice) => this.commands.send(OpenConversation, command, customer, conversationId, notice),
      accepted: { id: conversationId, messageId },
      applied: async () => ({ ...(await this.get(conversationId, customer)), messageId }),
      lookUp: async () => {
        const opened = await whenKnown(this.get(conversationId, customer));
        return opened && { ...opened, messageId };
      },
    });
  }

  @Get()
  @Allow('customer', 'agent')
  @ApiOperation({ operationId: 'listConversations', summary: 'List conversations' })
  @ApiOkResponse({ type: ConversationPage, description: 'Most recently active first' })
  list(
    @Query() query: ListConversationsQuery,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Page<ConversationView>> {
    if (principal.role === 'customer') {
      const agentOnly = (['assignee', 'team', 'customerId'] as const).filter((f) => query[f] !== undefined);
      if (agentOnly.length)
        throw new BadRequestException(`Filters for agents only: ${agentOnly.join(', ')}.`);
    }
    const request: ConversationListQuery = {
      principal,
      status: query.status,
      assignee: query.assignee === 'me' ? principal.id : query.assignee,
      team: query.team,
      priority: query.priority,
      customerId: query.customerId,
      cursor: query.cursor,
      limit: query.limit ?? PAGE_LIMIT_DEFAULT,
    };
    return this.publisher.query(QuerySubjects.conversations, request);
  }

  @Get(':id')
  @ApiConversationIdParam()
  @Allow('customer', 'agent')
  @ApiOperation({ operationId: 'getConversation', summary: 'Get a conversation' })
  @ApiOkResponse({ type: ConversationItem })
  get(
    @Param('id', IdParam) conversationId: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ConversationView> {
    return this.publisher.query(QuerySubjects.conversation, { principal, conversationId });
  }

  @Post(':id/messages')
  @ApiConversationIdParam()
  @HttpCode(202)
  @Allow('customer', 'agent')
  @ApiOperation({ operationId: 'postMessage', summary: 'Post a message' })
  @ApiIdempotencyKey()
  @ApiAcceptedResponse({
    type: MessageAccepted,
    description:
      'Stored in JetStream. A customer writing into a resolved, snoozed or pending conversation opens it again.',
  })
  @ApiPreferWait(MessageItem, 'With `Prefer: wait=N`: stored in the conversation, with its seq')
  async post(
    @Param('id', IdParam) conversationId: string,
    @Body() body: PostMessageRequest,
    @CurrentPrincipal() author: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Headers('idempotency-key') key?: string,
    @Headers('prefer') prefer?: string,
  ): Promise<MessageAccepted | MessageItem> {
    await this.precheck.check({ principal: author, conversationId });
    const messageId = this.ids(author, `POST /v1/conversations/${conversationId}/messages`, key).allocate();
    const command: Omit<PostMessage, 'issuedBy' | 'acceptedAt'> = {
      conversationId,
      messageId,
      body: body.body,
    };
    return this.applied.answer<StoredMessageData | MessageRejectedData, MessageAccepted, MessageItem>({
      prefer,
      reply,
      expected: [EventTypes.messageCreated, EventTypes.messageRejected].map((type) => ({
        type,
        id: eventId(type, messageId),
      })),
      send: (notice) => this.commands.send(PostMessage, command, author, messageId, notice),
      accepted: { id: messageId },
      applied: (event) => {
        if (event.type === EventTypes.messageRejected)
          throw new NotFoundException((event.data as MessageRejectedData).reason);
        return storedEntry(event.data as StoredMessageData);
      },
      lookUp: () => this.storedEntryNow(messageId, author),
    });
  }

  @Get(':id/messages')
  @ApiConversationIdParam()
  @Allow('customer', 'agent')
  @ApiOperation({ operationId: 'listMessages', summary: 'Read the messages of a conversation' })
  @ApiOkResponse({ type: MessagePage, description: 'Ordered by seq; agents see private notes inline' })
  async messages(
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

  @Post(':id/notes')
  @ApiConversationIdParam()
  @HttpCode(202)
  @Allow('agent')
  @ApiOperation({ operationId: 'addNote', summary: 'Add a private note' })
  @ApiIdempotencyKey()
  @ApiAcceptedResponse({
    type: MessageAccepted,
    description: 'A private note: agents see it, customers never do',
  })
  @ApiPreferWait(MessageItem, 'With `Prefer: wait=N`: stored in the conversation, with its seq')
  async note(
    @Param('id', IdParam) conversationId: string,
    @Body() body: NoteRequest,
    @CurrentPrincipal() agent: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Headers('idempotency-key') key?: string,
    @Headers('prefer') prefer?: string,
  ): Promise<MessageAccepted | MessageItem> {
    await this.precheck.check({ principal: agent, conversationId });
    const noteId = this.ids(agent, `POST /v1/conversations/${conversationId}/notes`, key).allocate();
    const command: Omit<AddNote, 'issuedBy' | 'acceptedAt'> = { conversationId, noteId, body: body.body };
    return this.applied.answer({
      prefer,
      reply,
      expected: [{ type: EventTypes.noteCreated, id: eventId(EventTypes.noteCreated, noteId) }],
      send: (notice) => this.commands.send(AddNote, command, agent, noteId, notice),
      accepted: { id: noteId },
      applied: (event: DomainEvent<StoredMessageData>) => storedEntry(event.data),
      lookUp: () => this.storedEntryNow(noteId, agent),
    });
  }

  @Post(':id/assignment')
  @ApiConversationIdParam()
  @HttpCode(202)
  @Allow('agent')
  @ApiOperation({
    operationId: 'assignConversation',
    summary: 'Assign a conversation to an agent, or unassign it',
  })
  @ApiIdempotencyKey()
  @ApiAcceptedResponse({
    type: ConversationChangeAccepted,
    description: 'Manual assignment wins over automatic',
  })
  @ApiPreferWait(ChangedConversation, CHANGED, 200)
  async assign(
    @Param('id', IdParam) conversationId: string,
    @Body() body: AssignmentRequest,
    @CurrentPrincipal() agent: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Headers('idempotency-key') key?: string,
    @Headers('prefer') prefer?: string,
  ): Promise<ConversationChangeAccepted | ChangedConversation> {
    const agentId = body.agentId === 'me' ? agent.id : body.agentId;
    await this.precheck.check({ principal: agent, conversationId, agentId: agentId ?? undefined });
    const command: Omit<AssignConversation, 'issuedBy' | 'acceptedAt'> = { conversationId, agentId };
    const msgId = this.ids(agent, `POST /v1/conversations/${conversationId}/assignment`, key).allocate();
    return this.change(prefer, reply, agent, conversationId, (notice) =>
      this.commands.send(AssignConversation, command, agent, msgId, notice),
    );
  }

  @Post(':id/transfer')
  @ApiConversationIdParam()
  @HttpCode(202)
  @Allow('agent')
  @ApiOperation({
    operationId: 'transferConversation',
    summary: 'Transfer a conversation to an agent or a team',
  })
  @ApiIdempotencyKey()
  @ApiAcceptedResponse({
    type: MessageAccepted,
    description: 'The id is that of the private history entry recording who, why and the note',
  })
  @ApiPreferWait(MessageItem, 'With `Prefer: wait=N`: done, with the private history entry that records it')
  async transfer(
    @Param('id', IdParam) conversationId: string,
    @Body() body: TransferRequest,
    @CurrentPrincipal() agent: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Headers('idempotency-key') key?: string,
    @Headers('prefer') prefer?: string,
  ): Promise<MessageAccepted | MessageItem> {
    if (!body.agentId && !body.team)
      throw new BadRequestException('A transfer needs an `agentId`, a `team`, or both.');
    const agentId = body.agentId === 'me' ? agent.id : body.agentId;
    await this.precheck.check({ principal: agent, conversationId, agentId });
    const transferId = this.ids(agent, `POST /v1/conversations/${conversationId}/transfer`, key).allocate();
    const command: Omit<TransferConversation, 'issuedBy' | 'acceptedAt'> = {
      conversationId,
      transferId,
      ...body,
      agentId,
    };
    return this.applied.answer({
      prefer,
      reply,
      expected: [{ type: EventTypes.noteCreated, id: eventId(EventTypes.noteCreated, transferId) }],
      send: (notice) => this.commands.send(TransferConversation, command, agent, transferId, notice),
      accepted: { id: transferId },
      applied: (event: DomainEvent<StoredMessageData>) => storedEntry(event.data),
      lookUp: () => this.storedEntryNow(transferId, agent),
    });
  }

  @Post(':id/status')
  @ApiConversationIdParam()
  @HttpCode(202)
  @Allow('agent')
  @ApiOperation({ operationId: 'changeStatus', summary: 'Change the status of a conversation' })
  @ApiIdempotencyKey()
  @ApiAcceptedResponse({ type: ConversationChangeAccepted })
  @ApiPreferWait(ChangedConversation, CHANGED, 200)
  async status(
    @Param('id', IdParam) conversationId: string,
    @Body() body: StatusRequest,
    @CurrentPrincipal() agent: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Headers('idempotency-key') key?: string,
    @Headers('prefer') prefer?: string,
  ): Promise<ConversationChangeAccepted | ChangedConversation> {
    if (body.status === 'snoozed') {
      const until = Date.parse(body.snoozeUntil ?? '');
      if (Number.isNaN(until)) throw new BadRequestException('Snoozing needs `snoozeUntil`.');
      if (until <= Date.now()) throw new BadRequestException('`snoozeUntil` must be in the future.');
      if (until > Date.now() + MAX_SNOOZE_MS)
        throw new BadRequestException('`snoozeUntil` must be within a year.');
    } else if (body.snoozeUntil !== undefined) {
      throw new BadRequestException('`snoozeUntil` goes only with the status `snoozed`.');
    }
    await this.precheck.check({ principal: agent, conversationId });
    const command: Omit<ChangeStatus, 'issuedBy' | 'acceptedAt'> = {
      conversationId,
      status: body.status,
      snoozeUntil: body.snoozeUntil && new Date(body.snoozeUntil).toISOString(),
    };
    const msgId = this.ids(agent, `POST /v1/conversations/${conversationId}/status`, key).allocate();
    return this.change(prefer, reply, agent, conversationId, (notice) =>
      this.commands.send(ChangeStatus, command, agent, msgId, notice),
    );
  }

  @Post(':id/priority')
  @ApiConversationIdParam()
  @HttpCode(202)
  @Allow('agent')
  @ApiOperation({ operationId: 'changePriority', summary: 'Change the priority of a conversation' })
  @ApiIdempotencyKey()
  @ApiAcceptedResponse({ type: ConversationChangeAccepted })
  @ApiPreferWait(ChangedConversation, CHANGED, 200)
  async priority(
    @Param('id', IdParam) conversationId: string,
    @Body() body: PriorityRequest,
    @CurrentPrincipal() agent: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Headers('idempotency-key') key?: string,
    @Headers('prefer') prefer?: string,
  ): Promise<ConversationChangeAccepted | ChangedConversation> {
    await this.precheck.check({ principal: agent, conversationId });
    const command: Omit<ChangePriority, 'issuedBy' | 'acceptedAt'> = {
      conversationId,
      priority: body.priority,
    };
    const msgId = this.ids(agent, `POST /v1/conversations/${conversationId}/priority`, key).allocate();
    return this.change(prefer, reply, agent, conversationId, (notice) =>
      this.commands.send(ChangePriority, command, agent, msgId, notice),
    );
  }

  @Post(':id/read')
  @ApiConversationIdParam()
  @HttpCode(202)
  @Allow('customer', 'agent')
  @ApiOperation({ operationId: 'markRead', summary: 'Mark a conversation read up to a seq' })
  @ApiIdempotencyKey()
  @ApiAcceptedResponse({
    type: ConversationChangeAccepted,
    description: 'The other side gets a read receipt',
  })
  @ApiPreferWait(ChangedConversation, CHANGED, 200)
  async read(
    @Param('id', IdParam) conversationId: string,
    @Body() body: ReadRequest,
    @CurrentPrincipal() reader: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Headers('idempotency-key') key?: string,
    @Headers('prefer') prefer?: string,
  ): Promise<ConversationChangeAccepted | ChangedConversation> {
    await this.precheck.check({ principal: reader, conversationId, seq: body.seq });
    const command: Omit<MarkRead, 'issuedBy' | 'acceptedAt'> = { conversationId, seq: body.seq };
    const msgId = this.ids(reader, `POST /v1/conversations/${conversationId}/read`, key).allocate();
    return this.change(prefer, reply, reader, conversationId, (notice) =>
      this.commands.send(MarkRead, command, reader, msgId, notice),
    );
  }

  /**
   * A message or note as history has it now, for a retried write: undefined until it is stored
   * there (or while history cannot say); a rejection is thrown as the problem it is.
   */
  private async storedEntryNow(messageId: string, principal: Principal): Promise<MessageItem | undefined> {
    const found = await whenKnown(
      this.publisher.query<MessageStatusView>(QuerySubjects.message, { principal, messageId }),
    );
    if (found?.status === 'rejected') throw new NotFoundException(found.rejection);
    if (found?.status !== 'stored' || found.seq === null || found.body === null) return undefined;
    return storedEntry({ ...found, messageId: found.id, seq: found.seq, body: found.body });
  }

  /** A change to a conversation, answered with it as the caller now sees it when they wait. */
  private change(
    prefer: string | undefined,
    reply: FastifyReply,
    principal: Principal,
    conversationId: string,
    send: SendCommand,
  ): Promise<ConversationChangeAccepted | ChangedConversation> {
    return this.applied.answerChange({
      prefer,
      reply,
      send,
      accepted: { conversationId },
      applied: async () => ({ ...(await this.get(conversationId, principal)), conversationId }),
    });
  }
}

/** What a query answers, or undefined when the owner cannot say yet (away, or not found yet). */
async function whenKnown<T>(query: Promise<T>): Promise<T | undefined> {
  try {
    return await query;
  } catch (error) {
    if (error instanceof BrokerUnavailable || error instanceof QueryRejected) return undefined;
    throw error;
  }
}

/** A stored message or note as `GET /v1/conversations/{id}/messages` shows it. */
function storedEntry(stored: Omit<MessageView, 'id'> & Pick<StoredMessageData, 'messageId'>): MessageItem {
  return {
    id: stored.messageId,
    conversationId: stored.conversationId,
    seq: stored.seq,
    authorId: stored.authorId,
    authorRole: stored.authorRole,
    type: stored.type,
    body: stored.body,
    createdAt: stored.createdAt,
  };
}
