import { outboxTraceColumnSql } from '@parley/persistence';
import { MigrationInterface, QueryRunner } from 'typeorm';

export class OutboxTrace1764200000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(outboxTraceColumnSql('conversation'));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE conversation.outbox DROP COLUMN trace');
  }
}
