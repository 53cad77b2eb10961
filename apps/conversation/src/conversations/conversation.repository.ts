import type { ConversationRatedData, CsatFigure, CsatQuery, CsatReport, Principal } from '@parley/contracts';
import type { Sql } from '../sql';
import { Conversation, CONVERSATION_COLUMNS } from './conversation.entity';
import type { ConversationEntry } from './conversation-entry.entity';

/** Queue order: highest priority first (then the longest waiting). */
const PRIORITY_RANK = `CASE c.priority WHEN 'urgent' THEN 4 WHEN 'high' THEN 3 WHEN 'normal' THEN 2 ELSE 1 END`;

const FIELDS = Object.keys(CONVERSATION_COLUMNS) as Array<keyof Conversation>;

/** The conversation's columns, each named as its field: a row read with them is a `Conversation`. */
const SELECTED = FIELDS.map((field) => `c.${CONVERSATION_COLUMNS[field]} AS "${field}"`).join(', ');

/** A conversation's rating as read with it: all null when it was not rated. */
export interface RatingColumns {
  ratingScore: number | null;
  ratingComment: string | null;
  ratingVia: 'widget' | 'email' | null;
  ratedAt: Date | null;
}

/** Who wrote a conversation's newest customer-visible message: both null before the first. */
export interface LastAuthorColumns {
  lastAuthorId: string | null;
  lastAuthorRole: string | null;
}

/** The conversation's customer as known. */
export interface CustomerColumns {
  customerName: string | null;
  customerEmail: string | null;
}

/**
 * A conversation as one caller sees it: with the messages that caller has not read, its rating and
 * who wrote its newest message.
 */
export type SeenConversation = Conversation & { unread: number } & RatingColumns &
  LastAuthorColumns &
  CustomerColumns;

/** Which of a caller's conversations a list shows; `assignee` "none" is the unassigned ones. */
export interface ConversationFilter {
  customerId?: string;
  status?: string;
  priority?: string;
  team?: string;
  assignee?: string;
  /** Label ids: conversations carrying every one of them. */
  labels?: string[];
}

/** The filters that narrow the queue. */
export type QueueFilter = Pick<ConversationFilter, 'priority' | 'team' | 'labels'>;

const round2 = (value: number) => Math.round(value * 100) / 100;

/** Builds a statement's parameter list: `bind` adds a value and returns its placeholder. */
class Parameters {
  readonly values: unknown[] = [];

  bind(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** The filters lists and the queue share, as conditions on `c`. */
function filtered(params: Parameters, filter: QueueFilter): string[] {
  const where: string[] = [];
  if (filter.priority) where.push(`c.priority = ${params.bind(filter.priority)}`);
  if (filter.team) where.push(`c.team = ${params.bind(filter.team)}`);
  // Containment, so the GIN index on the labels array finds the rows.
  if (filter.labels?.length) where.push(`c.labels @> ${params.bind(filter.labels)}::text[]`);
  return where;
}

/**
 * The conversation aggregate's rows: conversations, their entries (the seq ledger) and read
 * horizons. Raw SQL, as everywhere in this service; the column lists come from
 * `CONVERSATION_COLUMNS`, so a conversation's fields are written down once, in its entity.
 */
export class ConversationRepository {
  constructor(private readonly sql: Sql) {}

  /**
   * Locks these conversations for the rest of the transaction and returns those that exist. Rows
   * are locked in id order, so two transactions locking overlapping sets never wait on each other
   * in a cycle.
   */
  lock(ids: string[]): Promise<Conversation[]> {
    return this.sql.query(
      `SELECT ${SELECTED} FROM conversation.conversations c WHERE c.id = ANY($1::text[]) ORDER BY c.id FOR UPDATE`,
      [ids],
    );
  }

  /** Reads a conversation without locking it. */
  async find(id: string): Promise<Conversation | undefined> {
    const [row]: Conversation[] = await this.sql.query(
      `SELECT ${SELECTED} FROM conversation.conversations c WHERE c.id = $1`,
      [id],
    );
    return row;
  }

  async insert(conversation: Conversation): Promise<void> {
    await this.sql.query(
      `INSERT INTO conversation.conversations (${FIELDS.map((f) => CONVERSATION_COLUMNS[f]).join(', ')})
       VALUES (${FIELDS.map((_, i) => `$${i + 1}`).join(', ')})`,
      FIELDS.map((f) => conversation[f]),
    );
  }

  /** Writes these fields of the conversation as they are now. */
  async update(conversation: Conversation, ...fields: Array<keyof Conversation>): Promise<void> {
    const params = new Parameters();
    const id = params.bind(conversation.id);
    const set = fields.map((f) => `${CONVERSATION_COLUMNS[f]} = ${params.bind(conversation[f])}`);
    await this.sql.query(
      `UPDATE conversation.conversations SET ${set.join(', ')} WHERE id = ${id}`,
      params.values,
    );
  }

  /** Which of these entry ids are in a conversation's history. */
  async recordedEntries(entryIds: string[]): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.sql.query(
      'SELECT id FROM conversation.conversation_entries WHERE id = ANY($1::text[])',
      [entryIds],
    );
    return rows.map((row) => row.id);
  }

  /**
   * Writes appended entries and the conversations they moved on in one statement: an insert for the
   * entries and an update for the conversations (independent of each other, so their order within
   * it does not matter).
   */
  async writeAppended(entries: ConversationEntry[], conversations: Conversation[]): Promise<void> {
    await this.sql.query(
      `WITH appended AS (
         INSERT INTO conversation.conversation_entries (id, conversation_id, seq, author_id, author_role, type, created_at, via)
         SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $12::text[])
       )
       UPDATE conversation.conversations c
          SET last_seq = v.last_seq, last_message_at = v.last_message_at, last_message_preview = v.preview
         FROM unnest($8::text[], $9::int[], $10::timestamptz[], $11::text[]) AS v(id, last_seq, last_message_at, preview)
        WHERE c.id = v.id`,
      [
        entries.map((e) => e.id),
        entries.map((e) => e.conversationId),
        entries.map((e) => e.seq),
        entries.map((e) => e.authorId),
        entries.map((e) => e.authorRole),
        entries.map((e) => e.type),
        entries.map((e) => e.createdAt),
        conversations.map((c) => c.id),
        conversations.map((c) => c.lastSeq),
        conversations.map((c) => c.lastMessageAt),
        conversations.map((c) => c.lastMessagePreview),
        entries.map((e) => e.via ?? null),
      ],
    );
  }

  /** Moves the reader's horizon up to `seq`; false when it was there or beyond already. */
  async advanceReadHorizon(
    conversationId: string,
    readerId: string,
    seq: number,
    readAt: Date,
  ): Promise<boolean> {
    const advanced: unknown[] = await this.sql.query(
      `INSERT INTO conversation.read_horizons (conversation_id, principal_id, seq, read_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (conversation_id, principal_id) DO UPDATE SET seq = EXCLUDED.seq, read_at = EXCLUDED.read_at
       WHERE read_horizons.seq < EXCLUDED.seq
       RETURNING seq`,
      [conversationId, readerId, seq, readAt],
    );
    return advanced.length > 0;
  }

  /** Keeps the customer's rating of the conversation, replacing an earlier one. */
  async rate(rating: ConversationRatedData): Promise<void> {
    await this.sql.query(
      `INSERT INTO conversation.ratings (conversation_id, customer_id, agent_id, site_id, score, comment, via, rated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (conversation_id) DO UPDATE SET agent_id = EXCLUDED.agent_id, score = EXCLUDED.score,
         comment = EXCLUDED.comment, via = EXCLUDED.via, rated_at = EXCLUDED.rated_at`,
      [
        rating.conversationId,
        rating.customerId,
        rating.agentId,
        rating.siteId,
        rating.score,
        rating.comment,
        rating.via,
        rating.ratedAt,
      ],
    );
  }

  /**
   * Ratings given in the window, overall, per site and per agent: their count, mean score and the
   * share of 4s and 5s (CSAT) in percent, in one statement (GROUPING SETS).
   */
  async csat(q: CsatQuery): Promise<CsatReport> {
    const params = new Parameters();
    const where = ['true'];
    if (q.siteId) where.push(`site_id = ${params.bind(q.siteId)}`);
    if (q.agentId) where.push(`agent_id = ${params.bind(q.agentId)}`);
    if (q.from) where.push(`rated_at >= ${params.bind(q.from)}::timestamptz`);
    if (q.to) where.push(`rated_at < ${params.bind(q.to)}::timestamptz`);
    const rows: Array<{
      by: 'overall' | 'site' | 'agent';
      site_id: string | null;
      agent_id: string | null;
      ratings: number;
      average: number | null;
      satisfied: number | null;
    }> = await this.sql.query(
      `SELECT CASE WHEN GROUPING(site_id) = 0 THEN 'site' WHEN GROUPING(agent_id) = 0 THEN 'agent'
                   ELSE 'overall' END AS by,
              site_id, agent_id, count(*)::int AS ratings, avg(score)::float8 AS average,
              (100.0 * count(*) FILTER (WHERE score >= 4) / NULLIF(count(*), 0))::float8 AS satisfied
         FROM conversation.ratings
        WHERE ${where.join(' AND ')}
        GROUP BY GROUPING SETS ((), (site_id), (agent_id))
        ORDER BY by, site_id NULLS FIRST, agent_id NULLS FIRST`,
      params.values,
    );
    const figure = (row: (typeof rows)[number] | undefined): CsatFigure => ({
      ratings: row?.ratings ?? 0,
      averageScore: row?.average === undefined || row.average === null ? null : round2(row.average),
      csat: row?.satisfied === undefined || row.satisfied === null ? null : round2(row.satisfied),
    });
    return {
      overall: figure(rows.find((row) => row.by === 'overall')),
      bySite: rows.filter((row) => row.by === 'site').map((row) => ({ siteId: row.site_id, ...figure(row) })),
      byAgent: rows
        .filter((row) => row.by === 'agent')
        .map((row) => ({ agentId: row.agent_id, ...figure(row) })),
    };
  }

  /** Ids of the queue (open and unassigned) in the order it is served, but for `except`. */
  async queuedIds(except: string | undefined): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.sql.query(
      `SELECT c.id FROM conversation.conversations c
        WHERE c.status = 'open' AND c.assignee_id IS NULL AND c.erased_at IS NULL AND c.id <> $1
        ORDER BY ${PRIORITY_RANK} DESC, c.queued_at ASC NULLS FIRST, c.id`,
      [except ?? ''],
    );
    return rows.map((row) => row.id);
  }

  /** The conversations assigned to the agent that are not resolved. */
  async assignedIds(agentId: string): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.sql.query(
      `SELECT id FROM conversation.conversations WHERE assignee_id = $1 AND status <> 'resolved' ORDER BY id`,
      [agentId],
    );
    return rows.map((row) => row.id);
  }

  /** Snoozed conversations whose snooze has run out, the longest overdue first. */
  dueSnoozes(limit: number): Promise<Array<{ id: string; snoozeUntil: Date }>> {
    return this.sql.query(
      `SELECT c.id, c.snooze_until AS "snoozeUntil" FROM conversation.conversations c
        WHERE c.status = 'snoozed' AND c.snooze_until <= now() ORDER BY c.snooze_until LIMIT $1`,
      [limit],
    );
  }

  /** Most recently active first; `after` is the (lastMessageAt, id) of the previous page's last. */
  listed(
    viewer: Principal,
    filter: ConversationFilter,
    after: [string, string] | undefined,
    limit: number,
  ): Promise<SeenConversation[]> {
    return this.seenBy(viewer, (params) => {
      const where = filtered(params, filter);
      if (viewer.role === 'customer') where.push(`c.customer_id = ${params.bind(viewer.id)}`);
      else if (filter.customerId) where.push(`c.customer_id = ${params.bind(filter.customerId)}`);
      if (filter.status) where.push(`c.status = ${params.bind(filter.status)}`);
      if (filter.assignee === 'none') where.push('c.assignee_id IS NULL');
      else if (filter.assignee) where.push(`c.assignee_id = ${params.bind(filter.assignee)}`);
      if (after) {
        where.push(
          `(c.last_message_at, c.id) < (${params.bind(after[0])}::timestamptz, ${params.bind(after[1])})`,
        );
      }
      return `${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY c.last_message_at DESC, c.id DESC LIMIT ${params.bind(limit)}`;
    });
  }

  async seenOne(viewer: Principal, id: string): Promise<SeenConversation | undefined> {
    const [row] = await this.seenBy(viewer, (params) => `WHERE c.id = ${params.bind(id)}`);
    return row;
  }

  /**
   * The queue: highest priority first, then the longest waiting. `after` is the previous page's
   * last (rank, queuedAt, id); each row comes with its rank.
   */
  queue(
    viewer: Principal,
    filter: QueueFilter,
    after: [number, string, string] | undefined,
    limit: number,
  ): Promise<Array<SeenConversation & { rank: number }>> {
    return this.seenBy(
      viewer,
      (params) => {
        const where = filtered(params, filter);
        if (after) {
          where.push(
            `(-(${PRIORITY_RANK}), c.queued_at, c.id) > (-${params.bind(after[0])}::int, ${params.bind(after[1])}::timestamptz, ${params.bind(after[2])})`,
          );
        }
        const from = where.map((w) => `AND ${w}`).join(' ');
        return `WHERE c.status = 'open' AND c.assignee_id IS NULL AND c.erased_at IS NULL ${from}
          ORDER BY ${PRIORITY_RANK} DESC, c.queued_at ASC, c.id LIMIT ${params.bind(limit)}`;
      },
      `${PRIORITY_RANK} AS rank`,
    );
  }

  /** A customer's conversations, newest first; `after` is the previous page's last (createdAt, id). */
  ofCustomer(
    viewer: Principal,
    customerId: string,
    after: [string, string] | undefined,
    limit: number,
  ): Promise<SeenConversation[]> {
    return this.seenBy(viewer, (params) => {
      const from = after
        ? `AND (c.created_at, c.id) < (${params.bind(after[0])}::timestamptz, ${params.bind(after[1])})`
        : '';
      return `WHERE c.customer_id = ${params.bind(customerId)} ${from}
        ORDER BY c.created_at DESC, c.id DESC LIMIT ${params.bind(limit)}`;
    });
  }

  /**
   * Conversations with the viewer's unread count: entries after the viewer's read horizon that
   * someone else wrote (for a customer, messages only, as notes are not theirs to see). `rest` is
   * what follows the FROM clause, binding its own parameters after the viewer's.
   */
  private seenBy<R extends SeenConversation>(
    viewer: Principal,
    rest: (params: Parameters) => string,
    extra?: string,
  ): Promise<R[]> {
    const params = new Parameters();
    const reader = params.bind(viewer.id);
    const customer = params.bind(viewer.role === 'customer');
    const tail = rest(params);
    return this.sql.query(
      `SELECT ${SELECTED}${extra ? `, ${extra}` : ''},
              (SELECT count(*)::int FROM conversation.conversation_entries e
                WHERE e.conversation_id = c.id AND e.seq > COALESCE(h.seq, 0) AND e.author_id <> ${reader}
                  AND (${customer}::boolean = false OR e.type = 'message')) AS unread,
              r.score AS "ratingScore", r.comment AS "ratingComment", r.via AS "ratingVia", r.rated_at AS "ratedAt",
              (SELECT e.author_id FROM conversation.conversation_entries e
                WHERE e.conversation_id = c.id AND e.type = 'message' ORDER BY e.seq DESC LIMIT 1) AS "lastAuthorId",
              (SELECT e.author_role FROM conversation.conversation_entries e
                WHERE e.conversation_id = c.id AND e.type = 'message' ORDER BY e.seq DESC LIMIT 1) AS "lastAuthorRole",
              (SELECT p.name FROM conversation.customers p WHERE p.id = c.customer_id) AS "customerName",
              (SELECT p.email FROM conversation.customers p WHERE p.id = c.customer_id) AS "customerEmail"
         FROM conversation.conversations c
         LEFT JOIN conversation.read_horizons h ON h.conversation_id = c.id AND h.principal_id = ${reader}
         LEFT JOIN conversation.ratings r ON r.conversation_id = c.id
        ${tail}`,
      params.values,
    );
  }
}
