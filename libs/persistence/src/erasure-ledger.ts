import {
  ConfirmErasure,
  ConfirmingStore,
  ConversationErasedData,
  CustomerErasedData,
} from '@parley/contracts';
import { JetStreamPublisher } from '@parley/jetstream';
import { DataSource, EntityManager, MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The tables of a service's `ErasureLedger`: the conversations it erased (ids only: a tombstone
 * that also tells a late command about one of them to be ignored) and the customers' erasures it
 * heard of, with the conversations each waits for.
 */
export function erasureLedgerSql(schema: string): string[] {
  return [
    `CREATE TABLE "${schema}".erased_conversations (
      conversation_id text PRIMARY KEY,
      erasure_id text,
      count int NOT NULL,
      erased_at timestamptz NOT NULL
    )`,
    `CREATE TABLE "${schema}".erasures (
      erasure_id text PRIMARY KEY,
      customer_id text NOT NULL,
      conversation_ids text[] NOT NULL,
      count int NOT NULL,
      erased_at timestamptz NOT NULL
    )`,
  ];
}

/** The migration that adds the ledger's tables to a service's schema. */
export function erasureLedgerMigration(schema: string): new () => MigrationInterface {
  return class implements MigrationInterface {
    // TypeORM reads a migration's name, and its timestamp from the name's end, from this property.
    readonly name = 'ErasureLedger1769100000000';

    async up(q: QueryRunner): Promise<void> {
      for (const sql of erasureLedgerSql(schema)) await q.query(sql);
    }

    async down(q: QueryRunner): Promise<void> {
      await q.query(`DROP TABLE "${schema}".erasures`);
      await q.query(`DROP TABLE "${schema}".erased_conversations`);
    }
  };
}

/**
 * A service's part of customers' erasures (docs/adr/0014-customer-erasure.md). Each
 * `conversation.erased` is handled in its conversation's partition, after everything said in it, and
 * `customer.erased` in the customer's: the service records each in the transaction that deletes what
 * it held, and once the customer's and every one of their conversations' are in, tells the
 * conversation service with `erasure.confirm`. At least once: a redelivered event confirms again,
 * and JetStream (by msg id) and the conversation service (first word counts) drop the repeat.
 */
export class ErasureLedger {
  constructor(
    private readonly schema: string,
    private readonly store: ConfirmingStore,
    private readonly db: DataSource,
    private readonly publisher: JetStreamPublisher,
  ) {}

  /** Records, in the deleting transaction, that the conversation's records are gone (`count` of them). */
  async conversationErased(em: EntityManager, data: ConversationErasedData, count: number): Promise<void> {
    await em.query(
      `INSERT INTO "${this.schema}".erased_conversations (conversation_id, erasure_id, count, erased_at)
       VALUES ($1, $2, $3, now()) ON CONFLICT DO NOTHING`,
      [data.conversationId, data.erasureId, count],
    );
  }

  /** Records, in the deleting transaction, that the customer's own records are gone. */
  async customerErased(em: EntityManager, data: CustomerErasedData, count: number): Promise<void> {
    await em.query(
      `INSERT INTO "${this.schema}".erasures (erasure_id, customer_id, conversation_ids, count, erased_at)
       VALUES ($1, $2, $3, $4, now()) ON CONFLICT DO NOTHING`,
      [data.erasureId, data.customerId, data.conversationIds, count],
    );
  }

  /** Of these conversations, the ones erased here: what arrives about them later is not kept. */
  async erased(conversationIds: string[]): Promise<Set<string>> {
    if (!conversationIds.length) return new Set();
    const rows: Array<{ conversation_id: string }> = await this.db.query(
      `SELECT conversation_id FROM "${this.schema}".erased_conversations WHERE conversation_id = ANY($1::text[])`,
      [conversationIds],
    );
    return new Set(rows.map((row) => row.conversation_id));
  }

  /** Confirms the erasure once this service has erased the customer and each of their conversations. */
  async confirmIfDone(erasureId: string): Promise<void> {
    const [done]: Array<{ customerId: string; count: number; erasedAt: Date }> = await this.db.query(
      `SELECT e.customer_id AS "customerId", e.count + COALESCE(sum(c.count), 0)::int AS count,
              greatest(e.erased_at, max(c.erased_at)) AS "erasedAt"
         FROM "${this.schema}".erasures e
         LEFT JOIN "${this.schema}".erased_conversations c ON c.conversation_id = ANY(e.conversation_ids)
        WHERE e.erasure_id = $1
        GROUP BY e.erasure_id
       HAVING count(c.conversation_id) = cardinality(e.conversation_ids)`,
      [erasureId],
    );
    if (!done) return;
    const command: ConfirmErasure = {
      erasureId,
      customerId: done.customerId,
      store: this.store,
      erasedAt: new Date(done.erasedAt).toISOString(),
      count: done.count,
      issuedBy: { id: this.store, role: 'admin' },
      acceptedAt: new Date().toISOString(),
    };
    await this.publisher.publish(
      ConfirmErasure.subject,
      command,
      `erasure-confirm:${erasureId}:${this.store}`,
    );
  }
}
