import type { Sql } from '../sql';

interface ReferenceRow {
  id: string;
  message_id: string | null;
}

/**
 * `conversation.attachments`: which message first carried each attachment, or a tombstone (no
 * message) for one deleted as an orphan. Both writes are an upsert on the attachment id, so a
 * message referencing an attachment and the sweep deleting it are ordered by the row's lock: the
 * one that comes second sees the other's row.
 */
export class AttachmentReferences {
  constructor(private readonly sql: Sql) {}

  /** Records `messageId` as carrying the attachments; answers those already deleted as orphans. */
  async reference(conversationId: string, messageId: string, attachmentIds: string[]): Promise<string[]> {
    const rows: ReferenceRow[] = await this.sql.query(
      `INSERT INTO conversation.attachments (id, conversation_id, message_id)
       SELECT id, $2, $3 FROM unnest($1::text[]) AS id
       ON CONFLICT (id) DO UPDATE SET id = EXCLUDED.id
       RETURNING id, message_id`,
      [[...new Set(attachmentIds)], conversationId, messageId],
    );
    return rows.filter((row) => row.message_id === null).map((row) => row.id);
  }

  /**
   * Claims an attachment for deletion: true when no message carries it, and from then on none can
   * (its tombstone makes a later message referencing it rejected). Claimed twice, by two sweeping
   * processes, it is deleted twice, which is harmless.
   */
  async claimOrphan(attachmentId: string, conversationId: string): Promise<boolean> {
    const [row]: ReferenceRow[] = await this.sql.query(
      `INSERT INTO conversation.attachments (id, conversation_id, message_id) VALUES ($1, $2, NULL)
       ON CONFLICT (id) DO UPDATE SET id = EXCLUDED.id
       RETURNING id, message_id`,
      [attachmentId, conversationId],
    );
    return row.message_id === null;
  }
}
