import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { Durables } from '@parley/contracts';
import { PersistenceModule, postgresStorage } from '@parley/persistence';
import { runService, ServiceEnv } from '@parley/runtime';
import { ConversationRepository } from './conversations/conversation.repository';
import { HistoryExport } from './exports/history-export';
import { HistoryExportHandler } from './exports/history-export.handler';
import { HistoryHandlers } from './history.handlers';
import { HistoryErasureHandlers } from './privacy/history-erasure.handlers';
import { AttachmentsExpiredHandler } from './retention/attachments-expired.handler';
import { ConversationHistory } from './messages/conversation-history';
import { MessageRepository } from './messages/message.repository';
import { MessageStatus } from './messages/message-status';
import { ReceiptRepository } from './receipts/receipt.repository';
import { ReportsModule } from './reports/reports.module';
import { MessageSearch } from './search/message-search';
import { HISTORY_MIGRATIONS } from './history-schema';

@Module({
  imports: [ReportsModule],
  controllers: [HistoryHandlers, HistoryExportHandler, HistoryErasureHandlers, AttachmentsExpiredHandler],
  providers: [
    ConversationRepository,
    MessageRepository,
    ReceiptRepository,
    ConversationHistory,
    MessageStatus,
    MessageSearch,
    HistoryExport,
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
      migrations: HISTORY_MIGRATIONS,
    }),
    HistoryModule,
  ],
});
