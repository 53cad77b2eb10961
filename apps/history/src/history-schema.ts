import { erasureLedgerMigration, partitionLeasesMigration } from '@parley/persistence';
import { InitialHistorySchema1764000000000 } from './migrations/1764000000000-initial-history-schema';
import { SearchStatusReceipts1764100000000 } from './migrations/1764100000000-search-status-receipts';
import { MessageVia1767100000000 } from './migrations/1767100000000-message-via';
import { MessageAttachments1768100000000 } from './migrations/1768100000000-message-attachments';
import { ConversationReports1768400000000 } from './migrations/1768400000000-conversation-reports';

/** The history schema's migrations, for the service and for tests against a real database. */
export const HISTORY_MIGRATIONS = [
  InitialHistorySchema1764000000000,
  SearchStatusReceipts1764100000000,
  MessageVia1767100000000,
  partitionLeasesMigration('history'),
  MessageAttachments1768100000000,
  ConversationReports1768400000000,
  erasureLedgerMigration('history'),
];
