import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { Durables } from '@parley/contracts';
import { partitionLeasesMigration, PersistenceModule, postgresStorage } from '@parley/persistence';
import { runService, ServiceEnv } from '@parley/runtime';
import { ConversationRepository } from './conversations/conversation.repository';
import { HistoryHandlers } from './history.handlers';
import { ConversationHistory } from './messages/conversation-history';
import { MessageRepository } from './messages/message.repository';
import { MessageStatus } from './messages/message-status';
import { ReceiptRepository } from './receipts/receipt.repository';
import { MessageSearch } from './search/message-search';
import { SearchStatusReceipts1764100000000 } from './migrations/1764100000000-search-status-receipts';
import { InitialHistorySchema1764000000000 } from './migrations/1764000000000-initial-history-schema';
import { MessageAttachments1768100000000 } from './migrations/1768100000000-message-attachments';

@Module({
  controllers: [HistoryHandlers],
  providers: [
    ConversationRepository,
    MessageRepository,
    ReceiptRepository,
    ConversationHistory,
    MessageStatus,
    MessageSearch,
  ],
})
class HistoryModule {}

void runService({
  name: 'history',
  defaultPort: 3003,
  env: ServiceEnv,
  consumers: [Durables.historyEvents, Durables.historyCommands],
  storage: postgresStorage,
  imports: (config) => [
    PersistenceModule.forService({
      url: config.DATABASE_URL,
      statementTimeoutMs: config.PARLEY_STATEMENT_TIMEOUT_MS,
      schema: 'history',
      entities: [],
      migrations: [
        InitialHistorySchema1764000000000,
        SearchStatusReceipts1764100000000,
        MessageAttachments1768100000000,
        partitionLeasesMigration('history'),
      ],
    }),
    HistoryModule,
  ],
});
