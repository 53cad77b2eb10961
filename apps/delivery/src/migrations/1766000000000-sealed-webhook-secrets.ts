import { SecretBox } from '@parley/secrets';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhook secrets are kept sealed under PARLEY_SECRET_KEY. Endpoints registered before that kept
 * theirs in clear: they are sealed here, under the advisory lock every migration runs in, so one
 * process does it once; the column is renamed so no code can mistake a sealed value for a plain one.
 * Down opens them again, for a rollback to a build that reads them in clear.
 */
export function sealedWebhookSecretsMigration(box: SecretBox): new () => MigrationInterface {
  return class implements MigrationInterface {
    // TypeORM reads a migration's name, and its timestamp from the name's end, from this property.
    readonly name = 'SealedWebhookSecrets1766000000000';

    async up(q: QueryRunner): Promise<void> {
      await q.query('ALTER TABLE delivery.webhooks RENAME COLUMN secret TO sealed_secret');
      const rows: Array<{ id: string; sealed_secret: string }> = await q.query(
        "SELECT id, sealed_secret FROM delivery.webhooks WHERE sealed_secret NOT LIKE 'sealed.v1.%'",
      );
      for (const row of rows)
        await q.query('UPDATE delivery.webhooks SET sealed_secret = $2 WHERE id = $1', [
          row.id,
          box.seal(row.sealed_secret),
        ]);
    }

    async down(q: QueryRunner): Promise<void> {
      const rows: Array<{ id: string; sealed_secret: string }> = await q.query(
        'SELECT id, sealed_secret FROM delivery.webhooks',
      );
      for (const row of rows)
        await q.query('UPDATE delivery.webhooks SET sealed_secret = $2 WHERE id = $1', [
          row.id,
          box.open(row.sealed_secret),
        ]);
      await q.query('ALTER TABLE delivery.webhooks RENAME COLUMN sealed_secret TO secret');
    }
  };
}
