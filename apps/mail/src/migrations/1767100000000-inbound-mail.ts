import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every email that came in for the reply domain, matched or not: its Message-ID is unique, so the
 * same email delivered again, even after JetStream's duplicate window, is recognised and creates
 * nothing. Unmatched ones are kept, with the reason, for the admin.
 */
export class InboundMail1767100000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE mail.inbound_mail (
        id text PRIMARY KEY,
        message_id text NOT NULL UNIQUE,
        source text NOT NULL,
        from_address text NOT NULL,
        to_addresses text[] NOT NULL,
        subject text NOT NULL,
        text text NOT NULL,
        status text NOT NULL,
        reason text,
        conversation_id text,
        received_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX inbound_mail_unmatched_idx ON mail.inbound_mail (received_at DESC, id DESC)
        WHERE status = 'unmatched'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE mail.inbound_mail');
  }
}
