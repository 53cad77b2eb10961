import { Injectable } from '@nestjs/common';
import { Issuer } from '@parley/contracts';
import { EntityManager } from 'typeorm';
import { Conversation } from './conversation.entity';
import { ConversationEntry } from './conversation-entry.entity';

const PREVIEW_LENGTH = 140;

/** What a transaction appended and has not written yet. */
interface Unwritten {
  entries: ConversationEntry[];
  conversations: Map<string, Conversation>;
}

/**
 * Hands out each conversation's seq. The conversation row is locked for the rest of the
 * transaction, so concurrent writers (and replicas) get 1, 2, 3… with no gap and no repeat.
 *
 * Appends are applied set-wise: they change the locked row in memory, and `writeAppended` writes all
 * of a transaction's entries and every touched conversation in one statement just before the
 * commit. A batch of 200 messages costs one statement instead of 400.
 *
 * An entry is recorded once, under its id: a command whose entry `isRecorded` was applied already.
 */
@Injectable()
export class ConversationLedger {
  /**
   * Rows this transaction has locked, as loaded: a batch of messages into one conversation reads it
   * once. Every change in the transaction goes through the same object, so it stays current.
   */
  private readonly locked = new WeakMap<EntityManager, Map<string, Conversation>>();
  private readonly unwritten = new WeakMap<EntityManager, Unwritten>();
  /** Whether an entry id is in the history, as this transaction looked it up or appended it. */
  private readonly recorded = new WeakMap<EntityManager, Map<string, boolean>>();

  async lock(em: EntityManager, conversationId: string): Promise<Conversation | null> {
    const held = this.held(em);
    const known = held.get(conversationId);
    if (known) return known;
    const conversation = await em.findOne(Conversation, {
      where: { id: conversationId },
      lock: { mode: 'pessimistic_write' },
    });
    if (conversation) held.set(conversationId, conversation);
    return conversation;
  }

  /**
   * Locks all of these conversations in one statement. Rows are locked in id order, so two
   * transactions locking overlapping sets never wait on each other in a cycle.
   */
  async lockAll(em: EntityManager, conversationIds: string[]): Promise<void> {
    const held = this.held(em);
    const wanted = [...new Set(conversationIds)].filter((id) => !held.has(id));
    if (!wanted.length) return;
    const rows = await em
      .createQueryBuilder(Conversation, 'c')
      .where('c.id IN (:...ids)', { ids: wanted })
      .orderBy('c.id')
      .setLock('pessimistic_write')
      .getMany();
    for (const conversation of rows) held.set(conversation.id, conversation);
  }

  /**
   * Whether the entry is in its conversation's history already, appended earlier or by this
   * transaction. Entry ids follow from the writer's Idempotency-Key, so a retry that comes after
   * JetStream's duplicate window is a new command for an entry that exists: it was applied, and
   * appending it again would fail on its id. Ask with the conversation locked, so that an append of
   * the same entry by another transaction is seen once it commits.
   */
  async isRecorded(em: EntityManager, entryId: string): Promise<boolean> {
    const recorded = this.lookedUp(em);
    if (!recorded.has(entryId)) await this.recall(em, [entryId]);
    return recorded.get(entryId) === true;
  }

  /** Looks up which of these entries are recorded in one statement, for a batch's `isRecorded`. */
  async recall(em: EntityManager, entryIds: string[]): Promise<void> {
    const recorded = this.lookedUp(em);
    const unknown = [...new Set(entryIds)].filter((id) => !recorded.has(id));
    if (!unknown.length) return;
    const rows: Array<{ id: string }> = await em.query(
      'SELECT id FROM conversation.conversation_entries WHERE id = ANY($1::text[])',
      [unknown],
    );
    for (const id of unknown) recorded.set(id, false);
    for (const { id } of rows) recorded.set(id, true);
  }

  /** Takes the conversation's next seq for a message or note; written by `writeAppended`. */
  append(
    em: EntityManager,
    conversation: Conversation,
    entryId: string,
    author: Issuer,
    type: 'message' | 'note',
    body: string,
  ): ConversationEntry {
    const at = new Date();
    const entry = em.create(ConversationEntry, {
      id: entryId,
      conversationId: conversation.id,
      seq: conversation.lastSeq + 1,
      authorId: author.id,
      authorRole: author.role,
      type,
      createdAt: at,
    });
    conversation.lastSeq = entry.seq;
    conversation.lastMessageAt = at;
    if (type === 'message') conversation.lastMessagePreview = body.slice(0, PREVIEW_LENGTH);
    this.lookedUp(em).set(entryId, true);
    const pending = this.pending(em);
    pending.entries.push(entry);
    pending.conversations.set(conversation.id, conversation);
    return entry;
  }

  /**
   * Writes what the transaction appended in one statement: an insert for the entries and an update
   * for the conversations (independent of each other, so their order within it does not matter).
   */
  async writeAppended(em: EntityManager): Promise<void> {
    const pending = this.unwritten.get(em);
    if (!pending) return;
    this.unwritten.delete(em);
    const { entries } = pending;
    const conversations = [...pending.conversations.values()];
    await em.query(
      `WITH appended AS (
         INSERT INTO conversation.conversation_entries (id, conversation_id, seq, author_id, author_role, type, created_at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::timestamptz[])
       )
       UPDATE conversation.conversations c
          SET last_seq = v.last_seq, last_message_at = v.last_message_at, last_message_preview = v.preview
         FROM unnest($8::text[], $9::int[], $10::timestamptz[], $11::text[]) AS v(id, last_seq, last_message_at, preview)
        WHERE c.id = v.id`,
      [
        entries.map((e) => e.id),
        entries.map((e) => e.conversationId),
        entries.map((e) => e.seq),
        entries.map((e) => e.authorId),
        entries.map((e) => e.authorRole),
        entries.map((e) => e.type),
        entries.map((e) => e.createdAt),
        conversations.map((c) => c.id),
        conversations.map((c) => c.lastSeq),
        conversations.map((c) => c.lastMessageAt),
        conversations.map((c) => c.lastMessagePreview),
      ],
    );
  }

  private pending(em: EntityManager): Unwritten {
    let pending = this.unwritten.get(em);
    if (!pending) this.unwritten.set(em, (pending = { entries: [], conversations: new Map() }));
    return pending;
  }

  private lookedUp(em: EntityManager): Map<string, boolean> {
    let recorded = this.recorded.get(em);
    if (!recorded) this.recorded.set(em, (recorded = new Map()));
    return recorded;
  }

  private held(em: EntityManager): Map<string, Conversation> {
    let held = this.locked.get(em);
    if (!held) this.locked.set(em, (held = new Map()));
    return held;
  }
}
