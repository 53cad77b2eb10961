import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each claim records its command's `Nats-Msg-Id`: a sequence seen again with another id is another
 * command (the stream handed the sequence out anew), not a redelivery. Claims made before this have
 * none and keep meaning "handled".
 */
export class CommandClaimsMsgId1764400000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE conversation.processed_commands ADD COLUMN msg_id text');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE conversation.processed_commands DROP COLUMN msg_id');
  }
}
