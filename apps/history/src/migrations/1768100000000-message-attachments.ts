import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The attachments a message carries, and their file names in its search vector: `.`, `-` and `_`
 * split a name into words, so `broken-parcel.png` is found by `parcel`.
 */
export class MessageAttachments1768100000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX history.messages_search_idx');
    await q.query('ALTER TABLE history.messages DROP COLUMN search');
    await q.query(
      'ALTER TABLE history.messages ADD COLUMN attachments jsonb, ADD COLUMN attachment_names text',
    );
    await q.query(`ALTER TABLE history.messages ADD COLUMN search tsvector GENERATED ALWAYS AS (
                     to_tsvector('english', body || ' ' || translate(coalesce(attachment_names, ''), '._-', '   '))
                   ) STORED`);
    await q.query('CREATE INDEX messages_search_idx ON history.messages USING gin (search)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX history.messages_search_idx');
    await q.query('ALTER TABLE history.messages DROP COLUMN search');
    await q.query('ALTER TABLE history.messages DROP COLUMN attachments, DROP COLUMN attachment_names');
    await q.query(`ALTER TABLE history.messages
                     ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('english', body)) STORED`);
    await q.query('CREATE INDEX messages_search_idx ON history.messages USING gin (search)');
  }
}
