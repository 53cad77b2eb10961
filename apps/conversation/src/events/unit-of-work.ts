import { AttachmentReferences } from '../attachments/attachment-references';
import { ConversationLedger } from '../conversations/conversation-ledger';
import { ConversationRepository } from '../conversations/conversation.repository';
import { LabelsRepository } from '../labels/labels.repository';
import { PeopleRepository } from '../people/people.repository';
import { RetentionRepository } from '../retention/retention.repository';
import { ErasureRepository } from '../privacy/erasure.repository';
import { SavedRepliesRepository } from '../saved-replies/saved-replies.repository';
import { SitesRepository } from '../sites/sites.repository';
import type { Sql } from '../sql';

/** What a command's handler may do to conversations within its transaction. */
export type ConversationStore = Pick<
  ConversationRepository,
  | 'lock'
  | 'find'
  | 'insert'
  | 'update'
  | 'recordedEntries'
  | 'writeAppended'
  | 'advanceReadHorizon'
  | 'queuedIds'
  | 'assignedIds'
  | 'rate'
>;

/** What a command's handler may do to agents and customers within its transaction. */
export type PeopleStore = Pick<
  PeopleRepository,
  | 'registerAgent'
  | 'registerCustomer'
  | 'lockCustomerCard'
  | 'setCustomerCard'
  | 'lockInvite'
  | 'emailTakenFrom'
  | 'setPassword'
  | 'deactivate'
  | 'revokeTokens'
  | 'resetPassword'
  | 'startSession'
  | 'lockSession'
  | 'rotateSession'
  | 'endSessions'
  | 'agentExists'
  | 'lockPresence'
  | 'setPresence'
  | 'lockAssignment'
  | 'pickAgent'
  | 'recordAssignment'
>;

/** What a command's handler may do to sites within its transaction. */
export type SiteStore = Pick<
  SitesRepository,
  'register' | 'rotateSecret' | 'setAnonymousVisitors' | 'configure' | 'settings'
>;

/** What a command's handler may do to attachment references within its transaction. */
export type AttachmentReferenceStore = Pick<AttachmentReferences, 'reference'>;
/** What a command's handler may do to labels within its transaction. */
export type LabelStore = Pick<LabelsRepository, 'define' | 'nameTaken' | 'change' | 'delete' | 'refs'>;

/** What a command's handler may do to saved replies within its transaction. */
export type SavedReplyStore = Pick<
  SavedRepliesRepository,
  'save' | 'shortcutTaken' | 'change' | 'delete' | 'one'
>;

/** What a command's handler may do for sites' retention within its transaction. */
export type RetentionStore = Pick<
  RetentionRepository,
  'setPolicy' | 'requestRun' | 'keptAttachments' | 'removeConversation' | 'expireAttachments'
>;

/** What a command's handler may do to erasures and erasure requests within its transaction. */
export type ErasureStore = Pick<
  ErasureRepository,
  'lockCustomer' | 'customerErased' | 'erase' | 'record' | 'confirm' | 'request' | 'lockRequest' | 'decline'
>;

/**
 * One command transaction's work: the repositories bound to it, and the ledger holding what the
 * transaction locked, looked up and appended. `complete` writes what is still held in memory; the
 * command transaction calls it once every command is applied, before the outbox and the commit.
 */
export class UnitOfWork {
  readonly ledger: ConversationLedger;

  constructor(
    readonly conversations: ConversationStore,
    readonly people: PeopleStore,
    readonly sites: SiteStore,
    readonly attachments: AttachmentReferenceStore,
    readonly labels: LabelStore,
    readonly savedReplies: SavedReplyStore,
    readonly retention: RetentionStore,
    readonly erasures: ErasureStore,
  ) {
    this.ledger = new ConversationLedger(conversations);
  }

  /** A unit of work in the transaction `sql` runs in. */
  static in(sql: Sql): UnitOfWork {
    return new UnitOfWork(
      new ConversationRepository(sql),
      new PeopleRepository(sql),
      new SitesRepository(sql),
      new AttachmentReferences(sql),
      new LabelsRepository(sql),
      new SavedRepliesRepository(sql),
      new RetentionRepository(sql),
      new ErasureRepository(sql),
    );
  }

  complete(): Promise<void> {
    return this.ledger.write();
  }
}
