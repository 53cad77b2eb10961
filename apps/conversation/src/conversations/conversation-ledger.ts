import type { Issuer, MessageVia } from '@parley/contracts';
import type { Conversation } from './conversation.entity';
import type { ConversationEntry } from './conversation-entry.entity';
import type { ConversationRepository } from './conversation.repository';

const PREVIEW_LENGTH = 140;

/** What the ledger needs of the conversations' rows. */
export type LedgerStore = Pick<ConversationRepository, 'lock' | 'recordedEntries' | 'writeAppended'>;

/**
 * Hands out each conversation's seq within one transaction. The conversation row is locked for the
 * rest of the transaction, so concurrent writers (and replicas) get 1, 2, 3… with no gap and no
 * repeat.
 *
 * Appends are applied set-wise: they change the locked row in memory, and `write` writes all of the
 * transaction's entries and every touched conversation in one statement just before the commit. A
 * batch of 200 messages costs one statement instead of 400.
 *
 * An entry is recorded once, under its id: a command whose entry `isRecorded` was applied already.
 */
export class ConversationLedger {
  /**
   * Rows this transaction has locked, as loaded: a batch of messages into one conversation reads it
   * once. Every change in the transaction goes through the same object, so it stays current.
   */
  private readonly held = new Map<string, Conversation>();
  /** Whether an entry id is in the history, as this transaction looked it up or appended it. */
  private readonly recorded = new Map<string, boolean>();
  private unwritten: ConversationEntry[] = [];
  private touched = new Map<string, Conversation>();

  constructor(private readonly store: LedgerStore) {}

  /** The conversation, locked; undefined when it does not exist. */
  async lock(conversationId: string): Promise<Conversation | undefined> {
    await this.lockAll([conversationId]);
    return this.held.get(conversationId);
  }

  /** Locks all of these conversations in one statement. */
  async lockAll(conversationIds: string[]): Promise<void> {
    const wanted = [...new Set(conversationIds)].filter((id) => !this.held.has(id));
    if (!wanted.length) return;
    for (const conversation of await this.store.lock(wanted)) this.held.set(conversation.id, conversation);
  }

  /**
   * Whether the entry is in its conversation's history already, appended earlier or by this
   * transaction. Entry ids follow from the writer's Idempotency-Key, so a retry that comes after
   * JetStream's duplicate window is a new command for an entry that exists: it was applied, and
   * appending it again would fail on its id. Ask with the conversation locked, so that an append of
   * the same entry by another transaction is seen once it commits.
   */
  async isRecorded(entryId: string): Promise<boolean> {
    if (!this.recorded.has(entryId)) await this.recall([entryId]);
    return this.recorded.get(entryId) === true;
  }

  /** Looks up which of these entries are recorded in one statement, for a batch's `isRecorded`. */
  async recall(entryIds: string[]): Promise<void> {
    const unknown = [...new Set(entryIds)].filter((id) => !this.recorded.has(id));
    if (!unknown.length) return;
    const found = await this.store.recordedEntries(unknown);
    for (const id of unknown) this.recorded.set(id, false);
    for (const id of found) this.recorded.set(id, true);
  }

  /** Takes the conversation's next seq for a message or note; written by `write`. */
  append(
    conversation: Conversation,
    entryId: string,
    author: Issuer,
    type: 'message' | 'note',
    body: string,
    via?: MessageVia,
  ): ConversationEntry {
    const at = new Date();
    const entry: ConversationEntry = {
      id: entryId,
      conversationId: conversation.id,
      seq: conversation.lastSeq + 1,
      authorId: author.id,
      authorRole: author.role,
      type,
      createdAt: at,
      ...(via && via !== 'api' && { via }),
    };
    conversation.lastSeq = entry.seq;
    conversation.lastMessageAt = at;
    if (type === 'message') conversation.lastMessagePreview = body.slice(0, PREVIEW_LENGTH);
    this.recorded.set(entryId, true);
    this.unwritten.push(entry);
    this.touched.set(conversation.id, conversation);
    return entry;
  }

  /** Writes what was appended since the last write, in one statement. */
  async write(): Promise<void> {
    if (!this.unwritten.length) return;
    const entries = this.unwritten;
    const conversations = [...this.touched.values()];
    this.unwritten = [];
    this.touched = new Map();
    await this.store.writeAppended(entries, conversations);
  }
}
