import { MigrationInterface, QueryRunner } from 'typeorm';

/** Claims are looked up by command id too: a command sent again after the duplicate window is known by it. */
export class CommandClaimsById1765100000000 implements MigrationInterface {
  // Built concurrently, so that claims go on during a rolling upgrade; that cannot run in a transaction.
  readonly transaction = false;

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS processed_commands_msg_id_idx ON conversation.processed_commands (msg_id)',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX CONCURRENTLY IF EXISTS conversation.processed_commands_msg_id_idx');
  }
}
