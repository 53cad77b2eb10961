import { MigrationInterface, QueryRunner } from 'typeorm';

/** Full-text search, the status of messages not stored yet, and per-recipient receipts. */
export class SearchStatusReceipts1764100000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE history.messages ADD COLUMN customer_id text');
    await q.query(`UPDATE history.messages m SET customer_id = c.customer_id
                     FROM history.conversations c WHERE c.id = m.conversation_id`);
    await q.query(`ALTER TABLE history.messages
                     ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('english', body)) STORED`);
    await q.query('CREATE INDEX messages_search_idx ON history.messages USING gin (search)');
    await q.query('CREATE INDEX messages_customer_idx ON history.messages (customer_id, conversation_id)');
    // Messages whose command history has seen but whose outcome it has not: status "accepted".
    await q.query(`
      CREATE TABLE history.accepted_messages (
        id text PRIMARY KEY,
        conversation_id text NOT NULL,
        author_id text NOT NULL,
        author_role text NOT NULL,
        type text NOT NULL,
        body text NOT NULL,
        accepted_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE history.rejected_messages (
        id text PRIMARY KEY,
        conversation_id text NOT NULL,
        author_id text NOT NULL,
        reason text NOT NULL,
        rejected_at timestamptz NOT NULL
      )`);
    // Every read horizon move: a message's readAt for a reader is the first move past its seq.
    await q.query(`
      CREATE TABLE history.read_receipts (
        event_id text PRIMARY KEY,
        conversation_id text NOT NULL,
        reader_id text NOT NULL,
        seq int NOT NULL,
        read_at timestamptz NOT NULL
      )`);
    await q.query(
      'CREATE INDEX read_receipts_conversation_idx ON history.read_receipts (conversation_id, seq)',
    );
    await q.query(`
      CREATE TABLE history.delivery_receipts (
        message_id text NOT NULL,
        recipient_id text NOT NULL,
        delivered_at timestamptz NOT NULL,
        PRIMARY KEY (message_id, recipient_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE history.delivery_receipts');
    await q.query('DROP TABLE history.read_receipts');
    await q.query('DROP TABLE history.rejected_messages');
    await q.query('DROP TABLE history.accepted_messages');
    await q.query('ALTER TABLE history.messages DROP COLUMN search, DROP COLUMN customer_id');
  }
}
