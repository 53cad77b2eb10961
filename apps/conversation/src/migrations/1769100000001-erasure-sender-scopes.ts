import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The content-key scopes of the customer's email address: mail seals an email that matched no
 * conversation under its sender's scope (ADR 13), so the erasure must destroy that key too, and the
 * address itself is gone from the tombstone by the time the sweeper runs.
 */
export class ErasureSenderScopes1769100000001 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE conversation.erasures ADD COLUMN sender_scope_ids text[] NOT NULL DEFAULT '{}'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE conversation.erasures DROP COLUMN sender_scope_ids');
  }
}
