import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { Durables } from '@parley/contracts';
import { PersistenceModule, postgresStorage } from '@parley/persistence';
import { runService } from '@parley/runtime';
import { AttachmentCatalog, ATTACHMENT_FILES } from './attachments/attachment-catalog';
import { OrphanSweep } from './attachments/orphan-sweep';
import { ConversationEnv } from './conversation.env';
import { Assignment } from './assignment/assignment';
import { CONVERSATION_MIGRATIONS, EVENTS_ORDERED_BY } from './conversation-schema';
import { AddNoteHandler } from './conversations/commands/add-note.handler';
import { AssignConversationHandler } from './conversations/commands/assign-conversation.handler';
import { ChangePriorityHandler } from './conversations/commands/change-priority.handler';
import { ChangeStatusHandler } from './conversations/commands/change-status.handler';
import { MarkReadHandler } from './conversations/commands/mark-read.handler';
import { OpenConversationHandler } from './conversations/commands/open-conversation.handler';
import { PostMessageHandler } from './conversations/commands/post-message.handler';
import { RateConversationHandler } from './conversations/commands/rate-conversation.handler';
import { TransferConversationHandler } from './conversations/commands/transfer-conversation.handler';
import { ConversationQueries } from './conversations/conversation.queries';
import { CommandClaims } from './events/command-claims';
import { CommandTransaction } from './events/command-transaction';
import { CustomerExportRepository } from './exports/customer-export.repository';
import { ExportCustomerHandler } from './exports/export-customer.handler';
import { LabelsHandlers } from './labels/labels.handlers';
import { LabelsQueries } from './labels/labels.queries';
import { PeopleHandlers } from './people/people.handlers';
import { SavedRepliesHandlers } from './saved-replies/saved-replies.handlers';
import { SavedRepliesQueries } from './saved-replies/saved-replies.queries';
import { SitesHandlers } from './sites/sites.handlers';
import { SitesQueries } from './sites/sites.queries';
import { PeopleQueries } from './people/people.queries';
import { RetentionHandlers } from './retention/retention.handlers';
import { RetentionQueries } from './retention/retention.queries';
import { RetentionSchedule } from './retention/retention-schedule';
import { SessionsHandlers } from './people/sessions.handlers';
import { SnoozeAlarm } from './snooze/snooze-alarm';
import { ErasureHandlers } from './privacy/erasure.handlers';
import { ErasureQueries } from './privacy/erasure.queries';
import { ErasureSweeper } from './privacy/erasure-sweeper';

@Module({
  controllers: [
    PeopleHandlers,
    SessionsHandlers,
    OpenConversationHandler,
    PostMessageHandler,
    AddNoteHandler,
    ChangeStatusHandler,
    ChangePriorityHandler,
    AssignConversationHandler,
    TransferConversationHandler,
    MarkReadHandler,
    RateConversationHandler,
    ConversationQueries,
    SitesHandlers,
    SitesQueries,
    PeopleQueries,
    LabelsHandlers,
    LabelsQueries,
    SavedRepliesHandlers,
    SavedRepliesQueries,
    ExportCustomerHandler,
    RetentionHandlers,
    RetentionQueries,
    ErasureHandlers,
    ErasureQueries,
  ],
  providers: [
    CommandTransaction,
    CommandClaims,
    Assignment,
    SnoozeAlarm,
    AttachmentCatalog,
    { provide: ATTACHMENT_FILES, useExisting: AttachmentCatalog },
    OrphanSweep,
    CustomerExportRepository,
    RetentionSchedule,
    ErasureSweeper,
  ],
})
class ConversationModule {}

void runService({
  name: 'conversation',
  defaultPort: 3001,
  env: ConversationEnv,
  consumers: [Durables.conversationCommands],
  storage: postgresStorage,
  imports: (config) => [
    PersistenceModule.forService({
      url: config.DATABASE_URL,
      statementTimeoutMs: config.PARLEY_STATEMENT_TIMEOUT_MS,
      schema: 'conversation',
      entities: [],
      migrations: CONVERSATION_MIGRATIONS,
      outbox: { relayIntervalMs: config.PARLEY_OUTBOX_RELAY_INTERVAL_MS, orderedBy: EVENTS_ORDERED_BY },
    }),
    ConversationModule,
  ],
});
