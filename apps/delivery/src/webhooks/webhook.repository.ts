import { Injectable } from '@nestjs/common';
import { CursorQuery, Page, RegisterWebhook, WebhookView } from '@parley/contracts';
import { DataSource } from 'typeorm';
import { decodeListCursor, listPage } from './list-cursor';

export interface WebhookRow {
  id: string;
  url: string;
  events: string[];
  created_at: Date;
}

export function toWebhookView(row: WebhookRow): WebhookView {
  return { id: row.id, url: row.url, events: row.events, createdAt: row.created_at.toISOString() };
}

/** The webhook endpoints admins registered, and which of them want an event type. */
@Injectable()
export class WebhookRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * The webhook id follows from the Idempotency-Key: an endpoint already registered under it (a
   * retry, also one after JetStream's duplicate window) is kept as it is. Deleted since, it stays
   * deleted: a late retry of its registration must not bring it back.
   */
  async register(cmd: RegisterWebhook): Promise<void> {
    await this.db.query(
      `INSERT INTO delivery.webhooks (id, url, events, sealed_secret) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO NOTHING`,
      [cmd.webhookId, cmd.url, cmd.events, cmd.sealedSecret],
    );
  }

  /** The sealed secret registered under the id, deleted since or not; null when none was. */
  async sealedSecretOf(webhookId: string): Promise<string | null> {
    const rows: Array<{ sealed_secret: string }> = await this.db.query(
      'SELECT sealed_secret FROM delivery.webhooks WHERE id = $1',
      [webhookId],
    );
    return rows[0]?.sealed_secret ?? null;
  }

  /** Deleted endpoints keep their deliveries for the record; nothing more is sent to them. */
  async remove(webhookId: string): Promise<void> {
    await this.db.query(
      'UPDATE delivery.webhooks SET deleted_at = now() WHERE id = $1 AND deleted_at IS NULL',
      [webhookId],
    );
  }

  /** Ids of the live endpoints subscribed to the event type. */
  async subscribedTo(eventType: string): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.db.query(
      'SELECT id FROM delivery.webhooks WHERE deleted_at IS NULL AND $1 = ANY(events) ORDER BY id',
      [eventType],
    );
    return rows.map((r) => r.id);
  }

  async list(q: CursorQuery): Promise<Page<WebhookView>> {
    const params: unknown[] = [q.limit + 1];
    let after = '';
    if (q.cursor) {
      params.push(...decodeListCursor(q.cursor));
      after = 'AND (created_at, id) < ($2::timestamptz, $3)';
    }
    const rows: WebhookRow[] = await this.db.query(
      `SELECT id, url, events, created_at FROM delivery.webhooks
        WHERE deleted_at IS NULL ${after} ORDER BY created_at DESC, id DESC LIMIT $1`,
      params,
    );
    return listPage(rows, q.limit, toWebhookView);
  }

  async exists(webhookId: string): Promise<boolean> {
    const rows = await this.db.query('SELECT 1 FROM delivery.webhooks WHERE id = $1 AND deleted_at IS NULL', [
      webhookId,
    ]);
    return rows.length > 0;
  }
}
