import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { Durables } from '@parley/contracts';
import { outboxWritersMigration, partitionLeasesMigration, PersistenceModule } from '@parley/persistence';
import { runService, ServiceEnv } from '@parley/runtime';
import { Assignment } from './assignment/assignment';
import { ConversationLedger } from './conversations/conversation-ledger';
import { ConversationHandlers } from './conversations/conversation.handlers';
import { ConversationQueries } from './conversations/conversation.queries';
import { Conversation } from './conversations/conversation.entity';
import { ConversationEntry } from './conversations/conversation-entry.entity';
import { CommandClaims } from './events/command-claims';
import { CommandTransaction } from './events/command-transaction';
import { InitialConversationSchema1764000000000 } from './migrations/1764000000000-initial-conversation-schema';
import { OutboxTrace1764200000000 } from './migrations/1764200000000-outbox-trace';
import { CommandClaimsMsgId1764400000000 } from './migrations/1764400000000-command-claims-msg-id';
import { CommandClaimsById1765100000000 } from './migrations/1765100000000-command-claims-by-id';
import { Agent } from './people/agent.entity';
import { Customer } from './people/customer.entity';
import { PeopleHandlers } from './people/people.handlers';
import { SnoozeAlarm } from './snooze/snooze-alarm';

@Module({
  controllers: [PeopleHandlers, ConversationHandlers, ConversationQueries],
  providers: [CommandTransaction, CommandClaims, ConversationLedger, Assignment, SnoozeAlarm],
})
class ConversationModule {}

void runService({
  name: 'conversation',
  defaultPort: 3001,
  env: ServiceEnv,
  consumers: [Durables.conversationCommands],
  imports: (config) => [
    PersistenceModule.forService({
      url: config.DATABASE_URL,
      schema: 'conversation',
      entities: [Agent, Customer, Conversation, ConversationEntry],
      migrations: [
        InitialConversationSchema1764000000000,
        OutboxTrace1764200000000,
        outboxWritersMigration('conversation', 'conversationId'),
        CommandClaimsMsgId1764400000000,
        partitionLeasesMigration('conversation'),
        CommandClaimsById1765100000000,
      ],
      outbox: { relayIntervalMs: config.PARLEY_OUTBOX_RELAY_INTERVAL_MS, orderedBy: 'conversationId' },
    }),
    ConversationModule,
  ],
});
