import { join } from 'node:path';
import { outboxWritersMigration, partitionLeasesMigration } from '@parley/persistence';

/** The payload field the outbox orders events by: each conversation's go out in the order written. */
export const EVENTS_ORDERED_BY = 'conversationId';

/**
 * The conversation schema's migrations: every file in migrations/, so that a new one needs no line
 * here (TypeORM orders them by the timestamp their names end with), and the shared ones.
 */
export const CONVERSATION_MIGRATIONS = [
  join(__dirname, 'migrations', '*.{js,ts}'),
  outboxWritersMigration('conversation', EVENTS_ORDERED_BY),
  partitionLeasesMigration('conversation'),
];
