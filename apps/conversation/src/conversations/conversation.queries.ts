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
} from '@parley/contracts';
import { AnswerQuery, JetStreamPublisher, NATS_CONNECTION, QueryRejected } from '@parley/jetstream';
import { DataSource } from 'typeorm';
import { LOAD_STATUSES, PRIORITY_RANK } from '../assignment/assignment';
import { decodeKeyset, encodeKeyset } from './keyset-cursor';

interface ConversationRow {
  id: string;
  customer_id: string;
  subject: string | null;
  status: string;
  priority: string;
  assignee_id: string | null;
  team: string | null;
  last_seq: number;
  last_message_at: Date;
  last_message_preview: string | null;
  created_at: Date;
  snooze_until: Date | null;
  queued_at: Date | null;
  unread: number;
}

/** Columns of a conversation as the caller sees it, with the caller's unread count. */
const CONVERSATION_COLUMNS = `
  c.id, c.customer_id, c.subject, c.status, c.priority, c.assignee_id, c.team, c.last_seq, c.last_message_at,
  c.last_message_preview, c.created_at, c.snooze_until, c.queued_at,
  (SELECT count(*)::int FROM conversation.conversation_entries e
    WHERE e.conversation_id = c.id AND e.seq > COALESCE(h.seq, 0) AND e.author_id <> $1
      AND ($2::boolean = false OR e.type = 'message')) AS unread`;
const WITH_HORIZON =
  'LEFT JOIN conversation.read_horizons h ON h.conversation_id = c.id AND h.principal_id = $1';

function toView(row: ConversationRow): ConversationView {
  return {
    id: row.id,
    customerId: row.customer_id,
    subject: row.subject,
    status: row.status,
    priority: row.priority,
    assigneeId: row.assignee_id,
    team: row.team,
    lastSeq: row.last_seq,
    lastMessageAt: row.last_message_at.toISOString(),
    createdAt: row.created_at.toISOString(),
    snoozeUntil: row.snooze_until?.toISOString() ?? null,
    unread: row.unread,
    lastMessagePreview: row.last_message_preview,
  };
}

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

const notFound = (id: string) => new QueryRejected(404, 'Not found', `Conversation ${id} was not found.`);

@Controller()
export class ConversationQueries {
  constructor(
    private readonly db: DataSource,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly publisher: JetStreamPublisher,
  ) {}

  private viewer(p: Principal): [string, boolean] {
    return [p.id, p.role === 'customer'];
  }

  @AnswerQuery(QuerySubjects.agents)
  async agents(@Payload() q: CursorQuery): Promise<Page<AgentView>> {
    const after = q.cursor ? (decodeKeyset(q.cursor, ['string'])[0] as string) : '';
    const rows = await this.db.query(
      `SELECT a.id, a.name, a.email, a.teams, a.capacity, a.presence,
              (SELECT count(*)::int FROM conversation.conversations c
                WHERE c.assignee_id = a.id AND c.status = ANY($3::text[])) AS load
         FROM conversation.agents a WHERE a.id > $1 ORDER BY a.id LIMIT $2`,
      [after, q.limit + 1, LOAD_STATUSES],
    );
    return page(
      rows,
      q.limit,
      (r: AgentView) => r,
      (r) => [r.id],
    );
  }

  @AnswerQuery(QuerySubjects.conversations)
  async list(@Payload() q: ConversationListQuery): Promise<Page<ConversationView>> {
    const params: unknown[] = [...this.viewer(q.principal)];
    const where: string[] = [];
    const bind = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    if (q.principal.role === 'customer') where.push(`c.customer_id = ${bind(q.principal.id)}`);
    else if (q.customerId) where.push(`c.customer_id = ${bind(q.customerId)}`);
    if (q.status) where.push(`c.status = ${bind(q.status)}`);
    if (q.priority) where.push(`c.priority = ${bind(q.priority)}`);
    if (q.team) where.push(`c.team = ${bind(q.team)}`);
    if (q.assignee === 'none') where.push('c.assignee_id IS NULL');
    else if (q.assignee) where.push(`c.assignee_id = ${bind(q.assignee)}`);
    if (q.cursor) {
      const [at, id] = decodeKeyset(q.cursor, ['string', 'string']);
      where.push(`(c.last_message_at, c.id) < (${bind(at)}::timestamptz, ${bind(id)})`);
    }
    const rows: ConversationRow[] = await this.db.query(
      `SELECT ${CONVERSATION_COLUMNS} FROM conversation.conversations c ${WITH_HORIZON}
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY c.last_message_at DESC, c.id DESC LIMIT ${bind(q.limit + 1)}`,
      params,
    );
    return page(rows, q.limit, toView, (r) => [r.last_message_at.toISOString(), r.id]);
  }

  @AnswerQuery(QuerySubjects.conversation)
  async get(@Payload() q: ConversationQuery): Promise<ConversationView> {
    const [row]: ConversationRow[] = await this.db.query(
      `SELECT ${CONVERSATION_COLUMNS} FROM conversation.conversations c ${WITH_HORIZON} WHERE c.id = $3`,
      [...this.viewer(q.principal), q.conversationId],
    );
    if (!row || (q.principal.role === 'customer' && row.customer_id !== q.principal.id)) {
      throw notFound(q.conversationId);
    }
    return toView(row);
  }

  /** Open, unassigned conversations: highest priority first, then the longest waiting. */
  @AnswerQuery(QuerySubjects.queue)
  async queue(@Payload() q: CursorQuery): Promise<Page<ConversationView>> {
    const params: unknown[] = [...this.viewer(q.principal), q.limit + 1];
    let after = '';
    if (q.cursor) {
      const [rank, queuedAt, id] = decodeKeyset(q.cursor, ['number', 'string', 'string']);
      params.push(rank, queuedAt, id);
      after = `AND (-(${PRIORITY_RANK}), c.queued_at, c.id) > (-$4::int, $5::timestamptz, $6)`;
    }
    const rows: Array<ConversationRow & { rank: number }> = await this.db.query(
      `SELECT ${CONVERSATION_COLUMNS}, ${PRIORITY_RANK} AS rank FROM conversation.conversations c ${WITH_HORIZON}
        WHERE c.status = 'open' AND c.assignee_id IS NULL ${after}
        ORDER BY ${PRIORITY_RANK} DESC, c.queued_at ASC, c.id LIMIT $3`,
      params,
    );
    return page(rows, q.limit, toView, (r) => [r.rank, (r.queued_at ?? r.created_at).toISOString(), r.id]);
  }

  /** A customer's conversations, newest first: what an agent looks at for context. */
  @AnswerQuery(QuerySubjects.customerConversations)
  async ofCustomer(@Payload() q: CustomerConversationsQuery): Promise<Page<ConversationView>> {
    const params: unknown[] = [...this.viewer(q.principal), q.customerId, q.limit + 1];
    let after = '';
    if (q.cursor) {
      const [createdAt, id] = decodeKeyset(q.cursor, ['string', 'string']);
      params.push(createdAt, id);
      after = 'AND (c.created_at, c.id) < ($5::timestamptz, $6)';
    }
    const rows: ConversationRow[] = await this.db.query(
      `SELECT ${CONVERSATION_COLUMNS} FROM conversation.conversations c ${WITH_HORIZON}
        WHERE c.customer_id = $3 ${after} ORDER BY c.created_at DESC, c.id DESC LIMIT $4`,
      params,
    );
    return page(rows, q.limit, toView, (r) => [r.created_at.toISOString(), r.id]);
  }

  /**
   * Checks a write on an existing conversation before the gateway accepts it. A conversation we do
   * not know is a 404 only when no command is still on its way to us; otherwise it may be in flight.
   */
  @AnswerQuery(QuerySubjects.precheck)
  async precheck(@Payload() q: PrecheckQuery): Promise<PrecheckVerdict> {
    const find = async (): Promise<{ customer_id: string; last_seq: number } | undefined> =>
      (
        await this.db.query('SELECT customer_id, last_seq FROM conversation.conversations WHERE id = $1', [
          q.conversationId,
        ])
      )[0];
    let conversation = await find();
    if (!conversation) {
      // Consumer state first, then look again: a command applied in between is then seen.
      const inFlight = await this.commandsInFlight(q.conversationId);
      conversation = await find();
      if (!conversation && inFlight) return { verdict: 'pending' };
      if (!conversation) throw notFound(q.conversationId);
    }
    if (q.principal.role === 'customer' && conversation.customer_id !== q.principal.id)
      throw notFound(q.conversationId);
    if (q.agentId) {
      const [agent] = await this.db.query('SELECT id FROM conversation.agents WHERE id = $1', [q.agentId]);
      if (!agent) throw new QueryRejected(422, 'Unknown agent', `There is no agent with id ${q.agentId}.`);
    }
    if (q.seq !== undefined && q.seq > conversation.last_seq) {
      throw new QueryRejected(422, 'Unknown seq', `The conversation's last seq is ${conversation.last_seq}.`);
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
