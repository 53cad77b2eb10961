import { Controller, HttpCode, NotFoundException, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ConversationQuery, ConversationView, Principal, QuerySubjects } from '@parley/contracts';
import { JetStreamPublisher } from '@parley/jetstream';
import { IdParam } from '../api/id-param.pipe';
import { ApiConversationIdParam } from '../api/params.doc';
import { ApiProblems } from '../api/problem.doc';
import { TtlCache } from '../api/ttl-cache';
import { Allow, CurrentPrincipal } from '../auth/auth';
import { TypingRelay } from './typing-relay';

/** At most one typing signal per typist and conversation this often; more are answered but dropped. */
export const TYPING_INTERVAL_MS = 2_000;
/** Who a conversation's signals go to is looked up again after this long (an assignment moves it). */
const PARTICIPANTS_MS = 5_000;
const REMEMBER_AT_MOST = 50_000;

type Participants = Pick<ConversationView, 'customerId' | 'assigneeId'>;

@ApiTags('conversations')
@ApiBearerAuth()
@ApiProblems(400, 401, 403, 404, 429, 503)
@Controller('v1/conversations')
export class TypingController {
  private readonly participants = new TtlCache<Participants>(REMEMBER_AT_MOST);
  private readonly lastSignal = new TtlCache<true>(REMEMBER_AT_MOST);

  constructor(
    private readonly publisher: JetStreamPublisher,
    private readonly relay: TypingRelay,
  ) {}

  @Post(':id/typing')
  @HttpCode(204)
  @ApiConversationIdParam()
  @Allow('customer', 'agent')
  @ApiOperation({
    operationId: 'signalTyping',
    summary: 'Say that the caller is typing',
    description: `The other side's live inbox stream (\`GET /v1/inbox/stream\`) gets a \`typing\` event at once: the conversation's customer when an agent types, its assignee when the customer or another agent types. Ephemeral: never stored, never in \`GET /v1/inbox\`, no \`id:\`. Send it while the person types; at most one per ${TYPING_INTERVAL_MS / 1000} s per conversation is passed on, and the clients show "… is typing" for a few seconds after the last one.`,
  })
  @ApiNoContentResponse({ description: 'Passed on (or dropped as too soon after the last)' })
  async typing(
    @Param('id', IdParam) conversationId: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<void> {
    const { customerId, assigneeId } = await this.participantsOf(principal, conversationId);
    // Another customer's conversation is none of theirs: the same 404 as reading it.
    if (principal.role === 'customer' && customerId !== principal.id)
      throw new NotFoundException(`Conversation ${conversationId} was not found.`);
    const key = `${principal.id}\n${conversationId}`;
    if (this.lastSignal.get(key)) return;
    this.lastSignal.set(key, true, Date.now() + TYPING_INTERVAL_MS);
    const recipients = [customerId, assigneeId].filter(
      (id): id is string => id !== null && id !== principal.id,
    );
    if (!recipients.length) return;
    this.relay.publish({
      conversationId,
      authorId: principal.id,
      authorRole: principal.role,
      recipients,
      at: new Date().toISOString(),
    });
  }

  private async participantsOf(principal: Principal, conversationId: string): Promise<Participants> {
    const known = this.participants.get(conversationId);
    if (known) return known;
    const query: ConversationQuery = { principal, conversationId };
    const { customerId, assigneeId } = await this.publisher.query<ConversationView>(
      QuerySubjects.conversation,
      query,
    );
    const participants = { customerId, assigneeId };
    this.participants.set(conversationId, participants, Date.now() + PARTICIPANTS_MS);
    return participants;
  }
}
