import {
  ERASURE_STORES,
  ErasureCertificate,
  erasureMethodOf,
  mailSenderScopeId,
  ErasureRequestStatus,
  ErasureRequestView,
  ErasureStore,
  Requester,
} from '@parley/contracts';
import type { Sql } from '../sql';

/** What one customer's erasure took out of the conversation schema, for its events and the sweeper. */
export interface ErasedCustomer {
  conversations: Array<{ id: string; siteId: string | null }>;
  attachmentIds: string[];
  /** The content-key scopes of the customer's email address (`mailSenderScopeId`), if they had one. */
  senderScopeIds: string[];
  /** Rows deleted or emptied. */
  count: number;
}

/** An erasure whose stores are not all in yet: what the sweeper still has to do for it. */
export interface UnfinishedErasure {
  id: string;
  customerId: string;
  conversationIds: string[];
  attachmentIds: string[];
  senderScopeIds: string[];
  erased: ErasureStore[];
}

const REQUEST_COLUMNS = `r.id, r.customer_id AS "customerId", r.status,
  to_json(r.requested_at)#>>'{}' AS "requestedAt", to_json(r.decided_at)#>>'{}' AS "decidedAt",
  r.decided_by AS "decidedBy", r.erasure_id AS "erasureId"`;

/** Erasures, their certificates and customers' erasure requests in the conversation schema. */
export class ErasureRepository {
  constructor(private readonly sql: Sql) {}

  /** The customer, locked for the rest of the transaction: when erased, and by which erasure. */
  async lockCustomer(
    customerId: string,
  ): Promise<{ erasedAt: Date | null; erasureId: string | null } | undefined> {
    const [row]: Array<{ erasedAt: Date | null; erasureId: string | null }> = await this.sql.query(
      `SELECT c.erased_at AS "erasedAt", e.id AS "erasureId"
         FROM conversation.customers c LEFT JOIN conversation.erasures e ON e.customer_id = c.id
        WHERE c.id = $1 FOR UPDATE OF c`,
      [customerId],
    );
    return row;
  }

  async customerErased(customerId: string): Promise<boolean> {
    const rows: unknown[] = await this.sql.query(
      'SELECT 1 FROM conversation.customers WHERE id = $1 AND erased_at IS NOT NULL',
      [customerId],
    );
    return rows.length > 0;
  }

  /**
   * Keeps the customer as a tombstone and each conversation of theirs as a content-free shell, and
   * deletes everything with content: entries, ratings, attachment rows, and the events about them
   * still waiting in the outbox (this transaction's own are written after).
   */
  async erase(customerId: string, by: Requester, at: Date): Promise<ErasedCustomer> {
    const conversations: Array<{ id: string; siteId: string | null }> = await this.sql.query(
      `SELECT id, site_id AS "siteId" FROM conversation.conversations
        WHERE customer_id = $1 ORDER BY created_at, id FOR UPDATE`,
      [customerId],
    );
    const ids = conversations.map((c) => c.id);
    const attachments: Array<{ id: string }> = await this.sql.query(
      'SELECT id FROM conversation.attachments WHERE conversation_id = ANY($1::text[])',
      [ids],
    );
    const [customer]: Array<{ email: string | null }> = await this.sql.query(
      'SELECT email FROM conversation.customers WHERE id = $1',
      [customerId],
    );
    const senderScopeId = mailSenderScopeId(customer?.email ?? undefined);
    let count = 0;
    const run = async (statement: string, params: unknown[]) => {
      const [, affected] = (await this.sql.query(statement, params)) as [unknown, number];
      count += affected ?? 0;
    };
    await run('DELETE FROM conversation.conversation_entries WHERE conversation_id = ANY($1::text[])', [ids]);
    await run(
      'DELETE FROM conversation.ratings WHERE conversation_id = ANY($1::text[]) OR customer_id = $2',
      [ids, customerId],
    );
    await run('DELETE FROM conversation.attachments WHERE conversation_id = ANY($1::text[])', [ids]);
    await run(
      `DELETE FROM conversation.outbox
        WHERE payload->>'conversationId' = ANY($1::text[]) OR payload->>'customerId' = $2
           OR payload->'data'->>'customerId' = $2`,
      [ids, customerId],
    );
    await run(
      `UPDATE conversation.conversations SET subject = NULL, last_message_preview = NULL, erased_at = $2
        WHERE id = ANY($1::text[])`,
      [ids, at],
    );
    await run(
      `UPDATE conversation.customers
          SET external_id = NULL, name = NULL, email = NULL, attributes = '{}', time_zone = NULL,
              erased_at = $2, erased_by = $3
        WHERE id = $1`,
      [customerId, at, JSON.stringify(by)],
    );
    return {
      conversations,
      attachmentIds: attachments.map((a) => a.id),
      senderScopeIds: senderScopeId ? [senderScopeId] : [],
      count,
    };
  }

  async record(
    erasureId: string,
    customerId: string,
    by: Requester,
    at: Date,
    requestId: string | null,
    erased: ErasedCustomer,
  ): Promise<void> {
    await this.sql.query(
      `INSERT INTO conversation.erasures
         (id, customer_id, requested_by, requested_at, request_id, conversation_ids, attachment_ids,
          sender_scope_ids)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        erasureId,
        customerId,
        JSON.stringify(by),
        at,
        requestId,
        erased.conversations.map((c) => c.id),
        erased.attachmentIds,
        erased.senderScopeIds,
      ],
    );
    await this.confirm(erasureId, 'conversation', at, erased.count);
    // The customer's pending request is answered by the erasure, whoever issued it.
    await this.sql.query(
      `UPDATE conversation.erasure_requests
          SET status = 'approved', decided_at = $3, decided_by = $4, erasure_id = $2
        WHERE customer_id = $1 AND status = 'pending'`,
      [customerId, erasureId, at, by.id],
    );
  }

  /**
   * Records that a store erased its part (the first word counts; a repeat changes nothing) and
   * completes the erasure once every store is in. Run in a transaction: the erasure's row is locked
   * first, so of two stores confirming at once the later one sees the other's row and completes.
   */
  async confirm(erasureId: string, store: ErasureStore, erasedAt: Date, count: number | null): Promise<void> {
    const erasure: unknown[] = await this.sql.query(
      'SELECT 1 FROM conversation.erasures WHERE id = $1 FOR UPDATE',
      [erasureId],
    );
    if (!erasure.length) return;
    await this.sql.query(
      `INSERT INTO conversation.erasure_stores (erasure_id, store, erased_at, count)
       VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
      [erasureId, store, erasedAt, count],
    );
    await this.sql.query(
      `UPDATE conversation.erasures e
          SET completed_at = (SELECT max(erased_at) FROM conversation.erasure_stores s WHERE s.erasure_id = e.id)
        WHERE e.id = $1 AND e.completed_at IS NULL
          AND (SELECT count(*) FROM conversation.erasure_stores s WHERE s.erasure_id = e.id) >= $2`,
      [erasureId, ERASURE_STORES.length],
    );
  }

  /**
   * Erasures with something to sweep, oldest first: one of `stores` not erased yet, or `after` not
   * erased yet while every one of `waitsFor` is.
   */
  async unswept(
    stores: readonly ErasureStore[],
    after: { store: ErasureStore; waitsFor: readonly ErasureStore[] },
    limit: number,
  ): Promise<UnfinishedErasure[]> {
    return this.sql.query(
      `SELECT e.id, e.customer_id AS "customerId", e.conversation_ids AS "conversationIds",
              e.attachment_ids AS "attachmentIds", e.sender_scope_ids AS "senderScopeIds",
              done.stores AS erased
         FROM conversation.erasures e
        CROSS JOIN LATERAL (SELECT COALESCE(array_agg(s.store), '{}') AS stores
                              FROM conversation.erasure_stores s WHERE s.erasure_id = e.id) done
        WHERE e.completed_at IS NULL
          AND (NOT (done.stores @> $1::text[]) OR (NOT $2 = ANY(done.stores) AND done.stores @> $3::text[]))
        ORDER BY e.requested_at LIMIT $4`,
      [stores, after.store, after.waitsFor, limit],
    );
  }

  async certificate(erasureId: string): Promise<ErasureCertificate | undefined> {
    const [row]: Array<
      Omit<ErasureCertificate, 'stores'> & {
        stores: Array<{ store: ErasureStore; erasedAt: string; count: number | null }>;
      }
    > = await this.sql.query(
      `SELECT e.id, e.customer_id AS "customerId", e.requested_by AS "requestedBy",
              to_json(e.requested_at)#>>'{}' AS "requestedAt", e.request_id AS "requestId",
              cardinality(e.conversation_ids) AS conversations,
              to_json(e.completed_at)#>>'{}' AS "completedAt",
              COALESCE((SELECT json_agg(json_build_object('store', s.store,
                         'erasedAt', to_json(s.erased_at)#>>'{}', 'count', s.count))
                          FROM conversation.erasure_stores s WHERE s.erasure_id = e.id), '[]') AS stores
         FROM conversation.erasures e WHERE e.id = $1`,
      [erasureId],
    );
    if (!row) return undefined;
    const erased = new Map(row.stores.map((s) => [s.store, s]));
    return {
      ...row,
      stores: ERASURE_STORES.map((store) => ({
        store,
        method: erasureMethodOf(store),
        erasedAt: erased.get(store)?.erasedAt ?? null,
        count: erased.get(store)?.count ?? null,
      })),
    };
  }

  /** Files the customer's request; false when one of theirs is pending already (or they are erased). */
  async request(requestId: string, customerId: string, at: Date): Promise<boolean> {
    const rows: unknown[] = await this.sql.query(
      `INSERT INTO conversation.erasure_requests (id, customer_id, status, requested_at)
       SELECT $1, $2, 'pending', $3
        WHERE NOT EXISTS (SELECT FROM conversation.customers WHERE id = $2 AND erased_at IS NOT NULL)
       ON CONFLICT DO NOTHING RETURNING id`,
      [requestId, customerId, at],
    );
    return rows.length > 0;
  }

  /** The request, locked for the rest of the transaction. */
  async lockRequest(requestId: string): Promise<ErasureRequestView | undefined> {
    const [row]: ErasureRequestView[] = await this.sql.query(
      `SELECT ${REQUEST_COLUMNS} FROM conversation.erasure_requests r WHERE r.id = $1 FOR UPDATE`,
      [requestId],
    );
    return row;
  }

  async decline(requestId: string, by: string, at: Date): Promise<void> {
    await this.sql.query(
      `UPDATE conversation.erasure_requests SET status = 'declined', decided_at = $3, decided_by = $2
        WHERE id = $1 AND status = 'pending'`,
      [requestId, by, at],
    );
  }

  async requestById(requestId: string): Promise<ErasureRequestView | undefined> {
    const [row]: ErasureRequestView[] = await this.sql.query(
      `SELECT ${REQUEST_COLUMNS} FROM conversation.erasure_requests r WHERE r.id = $1`,
      [requestId],
    );
    return row;
  }

  async pendingRequestOf(customerId: string): Promise<ErasureRequestView | undefined> {
    const [row]: ErasureRequestView[] = await this.sql.query(
      `SELECT ${REQUEST_COLUMNS} FROM conversation.erasure_requests r
        WHERE r.customer_id = $1 AND r.status = 'pending'`,
      [customerId],
    );
    return row;
  }

  /** Requests newest first, after the keyset `after` (requested at, id). */
  async requests(
    status: ErasureRequestStatus | undefined,
    after: [string, string] | undefined,
    limit: number,
  ): Promise<ErasureRequestView[]> {
    return this.sql.query(
      `SELECT ${REQUEST_COLUMNS} FROM conversation.erasure_requests r
        WHERE ($1::text IS NULL OR r.status = $1)
          AND ($2::timestamptz IS NULL OR (r.requested_at, r.id) < ($2::timestamptz, $3::text))
        ORDER BY r.requested_at DESC, r.id DESC LIMIT $4`,
      [status ?? null, after?.[0] ?? null, after?.[1] ?? null, limit],
    );
  }
}
