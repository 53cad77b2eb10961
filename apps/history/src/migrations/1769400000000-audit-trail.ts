import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit trail (docs/adr/0017-audit-trail.md): its entries, one hash chain ordered by `seq`, and
 * the chain's head, the row every append locks, so that appends from any number of processes make
 * one chain. The database refuses to change or delete an entry; the hashes tell if someone who can
 * switch that off did.
 */
export class AuditTrail1769400000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE history.audit_entries (
      seq bigint PRIMARY KEY,
      id text NOT NULL UNIQUE,
      at timestamptz NOT NULL,
      actor_kind text NOT NULL,
      actor_id text,
      action text NOT NULL,
      subject_kind text,
      subject_id text,
      details jsonb NOT NULL,
      prev_hash text NOT NULL,
      hash text NOT NULL
    )`);
    await q.query(
      'CREATE INDEX audit_entries_actor_idx ON history.audit_entries (actor_kind, actor_id, seq)',
    );
    await q.query(
      'CREATE INDEX audit_entries_subject_idx ON history.audit_entries (subject_kind, subject_id, seq)',
    );
    await q.query('CREATE INDEX audit_entries_action_idx ON history.audit_entries (action, seq)');
    await q.query('CREATE INDEX audit_entries_at_idx ON history.audit_entries (at)');
    await q.query(`CREATE TABLE history.audit_head (
      one boolean PRIMARY KEY DEFAULT true CHECK (one),
      seq bigint NOT NULL,
      hash text NOT NULL
    )`);
    await q.query(`INSERT INTO history.audit_head (seq, hash) VALUES (0, repeat('0', 64))`);
    await q.query(`CREATE FUNCTION history.audit_entries_are_final() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit entries are append-only';
      END $$`);
    await q.query(`CREATE TRIGGER audit_entries_are_final BEFORE UPDATE OR DELETE OR TRUNCATE
      ON history.audit_entries FOR EACH STATEMENT EXECUTE FUNCTION history.audit_entries_are_final()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE history.audit_head');
    await q.query('DROP TABLE history.audit_entries');
    await q.query('DROP FUNCTION history.audit_entries_are_final()');
  }
}
