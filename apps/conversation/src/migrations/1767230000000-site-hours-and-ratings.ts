import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a site promises (business hours, expected reply time, automatic reply) and how its
 * conversations went: the site a conversation came through, its first response, its automatic
 * reply, and the customer's rating.
 */
export class SiteHoursAndRatings1767230000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE conversation.sites
        ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC',
        ADD COLUMN hours jsonb NOT NULL DEFAULT '[]',
        ADD COLUMN holidays text[] NOT NULL DEFAULT '{}',
        ADD COLUMN expected_reply_minutes integer,
        ADD COLUMN notify_delay_seconds integer NOT NULL DEFAULT 120,
        ADD COLUMN auto_reply text,
        ADD COLUMN conversation_url text`);
    await q.query(`
      ALTER TABLE conversation.conversations
        ADD COLUMN site_id text,
        ADD COLUMN first_response_at timestamptz,
        ADD COLUMN auto_replied_at timestamptz`);
    // The usual reply time reads a site's recent conversations that were answered.
    await q.query(`
      CREATE INDEX conversations_site_responses_idx ON conversation.conversations (site_id, created_at)
        WHERE first_response_at IS NOT NULL`);
    await q.query(`
      CREATE TABLE conversation.ratings (
        conversation_id text PRIMARY KEY,
        customer_id text NOT NULL,
        agent_id text,
        site_id text,
        score smallint NOT NULL CHECK (score BETWEEN 1 AND 5),
        comment text,
        via text NOT NULL,
        rated_at timestamptz NOT NULL
      )`);
    await q.query('CREATE INDEX ratings_rated_at_idx ON conversation.ratings (rated_at)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE conversation.ratings');
    await q.query(`
      ALTER TABLE conversation.conversations
        DROP COLUMN site_id, DROP COLUMN first_response_at, DROP COLUMN auto_replied_at`);
    await q.query(`
      ALTER TABLE conversation.sites
        DROP COLUMN time_zone, DROP COLUMN hours, DROP COLUMN holidays, DROP COLUMN expected_reply_minutes,
        DROP COLUMN notify_delay_seconds, DROP COLUMN auto_reply, DROP COLUMN conversation_url`);
  }
}
