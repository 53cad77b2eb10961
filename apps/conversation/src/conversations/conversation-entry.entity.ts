import type { MessageVia, Role } from '@parley/contracts';

/**
 * The ledger of seq numbers handed out: one row of `conversation.conversation_entries` per stored
 * message or note. Its primary key is the message id, so a redelivered command finds its earlier
 * outcome instead of taking a new seq.
 */
export interface ConversationEntry {
  id: string;
  conversationId: string;
  seq: number;
  authorId: string;
  authorRole: Role;
  type: 'message' | 'note';
  createdAt: Date;
  /** How the message came in when not through the API (a reply by email); absent for `api`. */
  via?: MessageVia;
}
