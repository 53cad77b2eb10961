import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialMailSchema1767000000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    // Who can be emailed, as the events told: a customer's unsubscribe may arrive before the customer.
    await q.query(`
      CREATE TABLE mail.customers (
        id text PRIMARY KEY,
        name text,
        email text,
        unsubscribed_at timestamptz
      )`);
    await q.query(`
      CREATE TABLE mail.agents (
        id text PRIMARY KEY,
        name text,
        email text,
        presence text NOT NULL DEFAULT 'offline',
        digest_enabled boolean NOT NULL DEFAULT true,
        next_digest_at timestamptz
      )`);
    await q.query(`
      CREATE TABLE mail.sites (
        id text PRIMARY KEY,
        name text NOT NULL,
        notify_delay_seconds int NOT NULL,
        conversation_url text
      )`);
    // queued_since: open and unassigned since then (agents' digests list those waiting too long).
    await q.query(`
      CREATE TABLE mail.conversations (
        id text PRIMARY KEY,
        customer_id text NOT NULL,
        site_id text,
        subject text,
        status text NOT NULL,
        assignee_id text,
        queued_since timestamptz,
        customer_read_seq int NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL
      )`);
    await q.query('CREATE INDEX conversations_assignee_idx ON mail.conversations (assignee_id)');
    await q.query(
      'CREATE INDEX conversations_queued_idx ON mail.conversations (queued_since) WHERE queued_since IS NOT NULL',
    );
    // Agents' replies the customer may not have read; notified_in: the email that carried one.
    await q.query(`
      CREATE TABLE mail.replies (
        conversation_id text NOT NULL,
        seq int NOT NULL,
        message_id text NOT NULL,
        author_id text NOT NULL,
        body text NOT NULL,
        created_at timestamptz NOT NULL,
        notified_in text,
        PRIMARY KEY (conversation_id, seq)
      )`);
    // At most one notification of each kind waits per conversation; the scheduler claims due ones.
    await q.query(`
      CREATE TABLE mail.notifications (
        conversation_id text NOT NULL,
        kind text NOT NULL,
        due_at timestamptz NOT NULL,
        reference text NOT NULL,
        PRIMARY KEY (conversation_id, kind)
      )`);
    await q.query('CREATE INDEX notifications_due_idx ON mail.notifications (due_at)');
    // The ledger of every email, keyed by its Message-ID: queued → claimed → sending → sent (or
    // in_doubt, failed); claim: the claiming process's token, which every later change names.
    await q.query(`
      CREATE TABLE mail.sent_emails (
        message_id text PRIMARY KEY,
        kind text NOT NULL,
        conversation_id text,
        recipient_id text NOT NULL,
        to_address text NOT NULL,
        status text NOT NULL DEFAULT 'queued',
        content jsonb NOT NULL,
        attempts int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        claim text,
        claimed_at timestamptz,
        sent_at timestamptz
      )`);
    await q.query(
      `CREATE INDEX sent_emails_queued_idx ON mail.sent_emails (next_attempt_at) WHERE status = 'queued'`,
    );
    await q.query(
      `CREATE INDEX sent_emails_claimed_idx ON mail.sent_emails (claimed_at) WHERE status IN ('claimed', 'sending')`,
    );
    await q.query(
      'CREATE INDEX sent_emails_conversation_idx ON mail.sent_emails (conversation_id, created_at)',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'sent_emails',
      'notifications',
      'replies',
      'conversations',
      'sites',
      'agents',
      'customers',
    ])
      await q.query(`DROP TABLE mail.${table}`);
  }
}
