import {
  applyDecorators,
  BadRequestException,
  Body,
  Controller,
  Get,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  AssignConversation,
  ChangePriority,
  ChangeStatus,
  Command,
  CommandBody,
  ConversationListQuery,
  ConversationView,
  eventId,
  EventTypes,
  MarkRead,
  OpenConversation,
  Page,
  PrecheckQuery,
  Principal,
  QuerySubjects,
  TransferConversation,
} from '@parley/contracts';
import { JetStreamPublisher } from '@parley/jetstream';
import { AcceptedAnswer, CommandEndpoint } from '../api/command-endpoint';
import { CommandType } from '../api/command-sender';
import { IdParam } from '../api/id-param.pipe';
import { pageOf } from '../api/paging';
import { ApiConversationIdParam } from '../api/params.doc';
import { ApiPreferWait } from '../api/prefer-wait.doc';
import { ApiProblems } from '../api/problem.doc';
import { whenKnown } from '../api/when-known';
import { CurrentWrite, Idempotent, Write } from '../api/write';
import { Allow, CurrentPrincipal } from '../auth/auth';
import { Audited, pathId, READ_BY_STAFF } from '../audit/audited';
import { MessageAccepted, MessageItem } from '../messages/messages.dto';
import { ConversationPrecheck } from './conversation-precheck';
import { ConversationRatings, RatingAnswer } from './conversation-ratings';
import {
  AssignmentRequest,
  ChangedConversation,
  ConversationChangeAccepted,
  ConversationItem,
  ConversationOpened,
  ConversationPage,
  ListConversationsQuery,
  OpenConversationRequest,
  OpenedConversation,
  PriorityRequest,
  RateConversationRequest,
  ReadRequest,
  StatusRequest,
  TransferRequest,
} from './conversations.dto';
import { StoredEntries } from './stored-entries';

const MAX_SNOOZE_MS = 366 * 24 * 3600 * 1000;

/** A change to a conversation: 202, or with `Prefer: wait`, 200 with the conversation as it is now. */
const Change = (description?: string): MethodDecorator =>
  applyDecorators(
    Idempotent(),
    AcceptedAnswer(ConversationChangeAccepted, description),
    ApiPreferWait(
      ChangedConversation,
      'With `Prefer: wait=N`: applied (or already so), as `GET /v1/conversations/{id}` now shows it',
      200,
    ),
  );

@ApiTags('conversations')
@ApiBearerAuth()
@ApiProblems(400, 401, 403, 404, 413, 422, 503)
@Controller('v1/conversations')
export class ConversationsController {
  constructor(
    private readonly commands: CommandEndpoint,
    private readonly publisher: JetStreamPublisher,
    private readonly precheck: ConversationPrecheck,
    private readonly entries: StoredEntries,
    private readonly ratings: ConversationRatings,
  ) {}

  @Post()
  @Allow('customer')
  @ApiOperation({ operationId: 'openConversation', summary: 'Open a conversation with its first message' })
  @AcceptedAnswer(ConversationOpened, 'Stored in JetStream; the conversation service opens it')
  @ApiPreferWait(
    OpenedConversation,
    'With `Prefer: wait=N`: opened, as `GET /v1/conversations/{id}` shows it, with its first message id',
  )
  @Idempotent()
  async open(
    @Body() body: OpenConversationRequest,
    @CurrentWrite() write: Write,
  ): Promise<ConversationOpened | OpenedConversation> {
    const conversationId = write.allocate();
    const messageId = write.allocate();
    return this.commands.create(
      write,
      {
        type: OpenConversation,
        body: {
          ...body,
          conversationId,
          messageId,
          priority: body.priority ?? 'normal',
          ...(write.principal.siteId && { siteId: write.principal.siteId }),
        },
        msgId: conversationId,
      },
      {
        expected: [
          {
            type: EventTypes.conversationCreated,
            id: eventId(EventTypes.conversationCreated, conversationId),
          },
        ],
        accepted: { id: conversationId, messageId },
        applied: async () => ({ ...(await this.get(conversationId, write.principal)), messageId }),
        lookUp: async () => {
          const opened = await whenKnown(this.get(conversationId, write.principal));
          return opened && { ...opened, messageId };
        },
      },
    );
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
      const agentOnly = (['assignee', 'team', 'customerId', 'labels'] as const).filter(
        (f) => query[f] !== undefined,
      );
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
      labels: query.labels,
      ...pageOf(query),
    };
    return this.publisher.query(QuerySubjects.conversations, request);
  }

  @Get(':id')
  @ApiConversationIdParam()
  @Allow('customer', 'agent')
  @ApiOperation({ operationId: 'getConversation', summary: 'Get a conversation' })
  @ApiOkResponse({ type: ConversationItem })
  @Audited('conversation.read', pathId('conversation'), READ_BY_STAFF)
  get(
    @Param('id', IdParam) conversationId: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ConversationView> {
    return this.publisher.query(QuerySubjects.conversation, { principal, conversationId });
  }

  @Post(':id/assignment')
  @ApiConversationIdParam()
  @Allow('agent')
  @ApiOperation({
    operationId: 'assignConversation',
    summary: 'Assign a conversation to an agent, or unassign it',
  })
  @Change('Manual assignment wins over automatic')
  assign(
    @Param('id', IdParam) conversationId: string,
    @Body() body: AssignmentRequest,
    @CurrentWrite() write: Write,
  ): Promise<ConversationChangeAccepted | ChangedConversation> {
    const agentId = body.agentId === 'me' ? write.principal.id : body.agentId;
    return this.change(write, { conversationId, agentId: agentId ?? undefined }, AssignConversation, {
      conversationId,
      agentId,
    });
  }

  @Post(':id/transfer')
  @ApiConversationIdParam()
  @Allow('agent')
  @ApiOperation({
    operationId: 'transferConversation',
    summary: 'Transfer a conversation to an agent or a team',
  })
  @AcceptedAnswer(
    MessageAccepted,
    'The id is that of the private history entry recording who, why and the note',
  )
  @ApiPreferWait(MessageItem, 'With `Prefer: wait=N`: done, with the private history entry that records it')
  @ApiProblems(410)
  @Idempotent()
  async transfer(
    @Param('id', IdParam) conversationId: string,
    @Body() body: TransferRequest,
    @CurrentWrite() write: Write,
  ): Promise<MessageAccepted | MessageItem> {
    if (!body.agentId && !body.team)
      throw new BadRequestException('A transfer needs an `agentId`, a `team`, or both.');
    const agentId = body.agentId === 'me' ? write.principal.id : body.agentId;
    await this.precheck.check({ principal: write.principal, conversationId, agentId });
    const transferId = write.allocate();
    return this.entries.store(
      write,
      transferId,
      TransferConversation,
      { ...body, conversationId, transferId, agentId },
      [EventTypes.noteCreated],
    );
  }

  @Post(':id/status')
  @ApiConversationIdParam()
  @Allow('agent')
  @ApiOperation({ operationId: 'changeStatus', summary: 'Change the status of a conversation' })
  @Change()
  async status(
    @Param('id', IdParam) conversationId: string,
    @Body() body: StatusRequest,
    @CurrentWrite() write: Write,
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
    return this.change(write, { conversationId }, ChangeStatus, {
      conversationId,
      status: body.status,
      snoozeUntil: body.snoozeUntil && new Date(body.snoozeUntil).toISOString(),
    });
  }

  @Post(':id/priority')
  @ApiConversationIdParam()
  @Allow('agent')
  @ApiOperation({ operationId: 'changePriority', summary: 'Change the priority of a conversation' })
  @Change()
  priority(
    @Param('id', IdParam) conversationId: string,
    @Body() body: PriorityRequest,
    @CurrentWrite() write: Write,
  ): Promise<ConversationChangeAccepted | ChangedConversation> {
    return this.change(write, { conversationId }, ChangePriority, { ...body, conversationId });
  }

  @Post(':id/read')
  @ApiConversationIdParam()
  @Allow('customer', 'agent')
  @ApiOperation({ operationId: 'markRead', summary: 'Mark a conversation read up to a seq' })
  @Change('The other side gets a read receipt')
  read(
    @Param('id', IdParam) conversationId: string,
    @Body() body: ReadRequest,
    @CurrentWrite() write: Write,
  ): Promise<ConversationChangeAccepted | ChangedConversation> {
    return this.change(write, { conversationId, seq: body.seq }, MarkRead, { ...body, conversationId });
  }

  @Post(':id/rating')
  @ApiConversationIdParam()
  @Allow('customer')
  @ApiOperation({
    operationId: 'rateConversation',
    summary: 'Rate a resolved conversation (its customer)',
    description:
      'A score from 1 to 5 and an optional comment; a later rating replaces the earlier one, and counts for the agent assigned at the time. A conversation that is not resolved is refused with 409.',
  })
  @ApiProblems(409, 410)
  @Change()
  async rate(
    @Param('id', IdParam) conversationId: string,
    @Body() body: RateConversationRequest,
    @CurrentWrite() write: Write,
  ): Promise<RatingAnswer> {
    await this.ratings.resolved(conversationId, write.principal);
    return this.ratings.rate(write, conversationId, body, 'widget');
  }

  /**
   * A change to a conversation once `check` passes the precheck: 202, or with `Prefer: wait`, the
   * conversation as the caller now sees it.
   */
  private async change<C extends Command>(
    write: Write,
    check: Omit<PrecheckQuery, 'principal'>,
    type: CommandType<C>,
    body: CommandBody<C>,
  ): Promise<ConversationChangeAccepted | ChangedConversation> {
    const { principal } = write;
    const { conversationId } = check;
    await this.precheck.check({ ...check, principal });
    return this.commands.change(
      write,
      { type, body, msgId: write.allocate() },
      {
        accepted: { conversationId },
        applied: async () => ({ ...(await this.get(conversationId, principal)), conversationId }),
      },
    );
  }
}
