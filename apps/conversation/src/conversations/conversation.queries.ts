import { Controller, Inject } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import {
  AgentView,
  ConversationListQuery,
  ConversationQuery,
  ConversationView,
  CursorQuery,
  CustomerConversationsQuery,
  Durables,
  Page,
  PrecheckQuery,
  PrecheckVerdict,
  Principal,
  QuerySubjects,
  QueueQuery,
} from '@parley/contracts';
import { AnswerQuery, JetStreamPublisher, NATS_CONNECTION, QueryRejected } from '@parley/jetstream';
import { DataSource } from 'typeorm';
import { PeopleRepository } from '../people/people.repository';
import { conversationView } from './conversation.entity';
import { ConversationRepository, SeenConversation } from './conversation.repository';
import { decodeKeyset, encodeKeyset } from './keyset-cursor';

/** The first `limit` rows, and a cursor after the last of them when there were more. */
function page<R, V>(
  rows: R[],
  limit: number,
  view: (r: R) => V,
  key: (r: R) => Array<string | number>,
): Page<V> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items: items.map(view), nextCursor: rows.length > limit && last ? encodeKeyset(key(last)) : null };
}

/** Labels are the team's own way of sorting its work: a customer sees none. */
const seenView =
  (viewer: Principal) =>
  (row: SeenConversation): ConversationView =>
    conversationView(
      viewer.role === 'customer' ? { ...row, labels: [] } : row,
      row.unread,
      row.ratingScore !== null && row.ratingVia !== null && row.ratedAt !== null
        ? {
            score: row.ratingScore,
            comment: row.ratingComment,
            via: row.ratingVia,
            ratedAt: row.ratedAt.toISOString(),
          }
        : null,
      row.lastAuthorId !== null && row.lastAuthorRole !== null
        ? { id: row.lastAuthorId, role: row.lastAuthorRole }
        : null,
      { name: row.customerName, email: row.customerEmail },
    );

const notFound = (id: string) => new QueryRejected(404, 'Not found', `Conversation ${id} was not found.`);

@Controller()
export class ConversationQueries {
  private readonly conversations: ConversationRepository;
  private readonly people: PeopleRepository;

  constructor(
    db: DataSource,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly publisher: JetStreamPublisher,
  ) {
    this.conversations = new ConversationRepository(db);
    this.people = new PeopleRepository(db);
  }

  @AnswerQuery(QuerySubjects.agents)
  async agents(@Payload() q: CursorQuery): Promise<Page<AgentView>> {
    const after = q.cursor ? (decodeKeyset(q.cursor, ['string'])[0] as string) : '';
    const rows = await this.people.agents(after, q.limit + 1);
    return page(
      rows,
      q.limit,
      (r) => r,
      (r) => [r.id],
    );
  }

  @AnswerQuery(QuerySubjects.conversations)
  async list(@Payload() q: ConversationListQuery): Promise<Page<ConversationView>> {
    const after = q.cursor ? (decodeKeyset(q.cursor, ['string', 'string']) as [string, string]) : undefined;
    const rows = await this.conversations.listed(q.principal, q, after, q.limit + 1);
    return page(rows, q.limit, seenView(q.principal), (r) => [r.lastMessageAt.toISOString(), r.id]);
  }

  @AnswerQuery(QuerySubjects.conversation)
  async get(@Payload() q: ConversationQuery): Promise<ConversationView> {
    const row = await this.conversations.seenOne(q.principal, q.conversationId);
    if (!row || (q.principal.role === 'customer' && row.customerId !== q.principal.id)) {
      throw notFound(q.conversationId);
    }
    return seenView(q.principal)(row);
  }

  /** Open, unassigned conversations: highest priority first, then the longest waiting. */
  @AnswerQuery(QuerySubjects.queue)
  async queue(@Payload() q: QueueQuery): Promise<Page<ConversationView>> {
    const after = q.cursor
      ? (decodeKeyset(q.cursor, ['number', 'string', 'string']) as [number, string, string])
      : undefined;
    const rows = await this.conversations.queue(q.principal, q, after, q.limit + 1);
    return page(rows, q.limit, seenView(q.principal), (r) => [
      r.rank,
      (r.queuedAt ?? r.createdAt).toISOString(),
      r.id,
    ]);
  }

  /** A customer's conversations, newest first: what an agent looks at for context. */
  @AnswerQuery(QuerySubjects.customerConversations)
  async ofCustomer(@Payload() q: CustomerConversationsQuery): Promise<Page<ConversationView>> {
    const after = q.cursor ? (decodeKeyset(q.cursor, ['string', 'string']) as [string, string]) : undefined;
    const rows = await this.conversations.ofCustomer(q.principal, q.customerId, after, q.limit + 1);
    return page(rows, q.limit, seenView(q.principal), (r) => [r.createdAt.toISOString(), r.id]);
  }

  /**
   * Checks a write on an existing conversation before the gateway accepts it. A conversation we do
   * not know is a 404 only when no command is still on its way to us; otherwise it may be in flight.
   */
  @AnswerQuery(QuerySubjects.precheck)
  async precheck(@Payload() q: PrecheckQuery): Promise<PrecheckVerdict> {
    let conversation = await this.conversations.find(q.conversationId);
    if (!conversation) {
      // Consumer state first, then look again: a command applied in between is then seen.
      const inFlight = await this.commandsInFlight(q.conversationId);
      conversation = await this.conversations.find(q.conversationId);
      if (!conversation && inFlight) return { verdict: 'pending' };
      if (!conversation) throw notFound(q.conversationId);
    }
    if (q.principal.role === 'customer' && conversation.customerId !== q.principal.id)
      throw notFound(q.conversationId);
    if (conversation.erasedAt)
      throw new QueryRejected(
        410,
        'Erased',
        `Conversation ${q.conversationId} was erased with its customer: it takes no more writes.`,
      );
    if (q.agentId && !(await this.people.agentExists(q.agentId))) {
      throw new QueryRejected(422, 'Unknown agent', `There is no agent with id ${q.agentId}.`);
    }
    if (q.seq !== undefined && q.seq > conversation.lastSeq) {
      throw new QueryRejected(422, 'Unknown seq', `The conversation's last seq is ${conversation.lastSeq}.`);
    }
    return { verdict: 'ok' };
  }
  /** Whether the conversation's partition has commands not applied yet (its open may be one). */
  private async commandsInFlight(conversationId: string): Promise<boolean> {
    const jsm = await jetstreamManager(this.nc);
    const partition = this.publisher.partitionOf({ conversationId });
    const info = await jsm.consumers.info(
      Durables.conversationCommands.stream,
      `${Durables.conversationCommands.durable}-p${partition}`,
    );
    return info.num_pending > 0 || info.num_ack_pending > 0;
  }
}
