import { Injectable } from '@nestjs/common';
import { Page, WebhookAttemptView, WebhookDeliveriesQuery, WebhookDeliveryView } from '@parley/contracts';
import { DataSource } from 'typeorm';
import { decodeListCursor, listPage } from './list-cursor';
import { AttemptResult } from './retry-schedule';

/** The body of a webhook request, per the Standard Webhooks specification. */
export interface WebhookPayload {
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

export interface NewDelivery {
  id: string;
  webhookId: string;
  eventId: string;
  eventType: string;
  payload: WebhookPayload;
}

/** A delivery with what an attempt needs: its endpoint's URL and sealed secret, and whether it was deleted. */
export interface DeliveryToSend {
  id: string;
  webhookId: string;
  status: WebhookDeliveryView['status'];
  attempts: number;
  payload: WebhookPayload;
  url: string;
  sealedSecret: string;
  endpointDeleted: boolean;
}

/** What one request came to: the answer's status code, or why there was none. */
export interface AttemptOutcome {
  statusCode: number | null;
  error: string | null;
  ms: number;
}

export interface WebhookDeliveryRow {
  id: string;
  webhook_id: string;
  event_id: string;
  event_type: string;
  status: WebhookDeliveryView['status'];
  next_attempt_at: Date | null;
  created_at: Date;
  /** Built by json_agg, so its times are strings. */
  attempts: WebhookAttemptView[];
}

export function toWebhookDeliveryView(row: WebhookDeliveryRow): WebhookDeliveryView {
  return {
    id: row.id,
    webhookId: row.webhook_id,
    eventId: row.event_id,
    eventType: row.event_type,
    status: row.status,
    attempts: row.attempts.map((a) => ({ ...a, at: new Date(a.at).toISOString() })),
    nextAttemptAt: row.next_attempt_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
  };
}

/** Each event an endpoint subscribed to, as a delivery with its attempts. */
@Injectable()
export class WebhookDeliveryRepository {
  constructor(private readonly db: DataSource) {}

  /** A delivery recorded before (its event redelivered) is kept as it is. */
  async record(deliveries: NewDelivery[]): Promise<void> {
    await this.db.query(
      `INSERT INTO delivery.webhook_deliveries (id, webhook_id, event_id, event_type, payload, next_attempt_at)
       SELECT d.*, now() FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[])
                              AS d (id, webhook_id, event_id, event_type, payload)
       ON CONFLICT (id) DO NOTHING`,
      [
        deliveries.map((d) => d.id),
        deliveries.map((d) => d.webhookId),
        deliveries.map((d) => d.eventId),
        deliveries.map((d) => d.eventType),
        deliveries.map((d) => JSON.stringify(d.payload)),
      ],
    );
  }

  /** Makes the endpoint's delivery pending again; its attempt count so far, or undefined if none such. */
  async reopen(webhookId: string, deliveryId: string): Promise<number | undefined> {
    // TypeORM answers an UPDATE with [rows, count].
    const [rows]: [Array<{ attempts: number }>, number] = await this.db.query(
      `UPDATE delivery.webhook_deliveries SET status = 'pending', next_attempt_at = now()
        WHERE id = $1 AND webhook_id = $2 RETURNING attempts`,
      [deliveryId, webhookId],
    );
    return rows[0]?.attempts;
  }

  async toSend(deliveryId: string): Promise<DeliveryToSend | undefined> {
    const [delivery]: DeliveryToSend[] = await this.db.query(
      `SELECT d.id, d.webhook_id AS "webhookId", d.status, d.attempts, d.payload, w.url, w.sealed_secret AS "sealedSecret",
              w.deleted_at IS NOT NULL AS "endpointDeleted"
         FROM delivery.webhook_deliveries d JOIN delivery.webhooks w ON w.id = d.webhook_id WHERE d.id = $1`,
      [deliveryId],
    );
    return delivery;
  }

  async fail(deliveryId: string): Promise<void> {
    await this.db.query(
      "UPDATE delivery.webhook_deliveries SET status = 'failed', next_attempt_at = NULL WHERE id = $1",
      [deliveryId],
    );
  }

  /**
   * Claims the attempt number: of two work items for one delivery (a manual retry during a
   * scheduled wait), only one makes each attempt.
   */
  async claimAttempt(deliveryId: string, attempt: number): Promise<boolean> {
    const [, claimed]: [unknown[], number] = await this.db.query(
      `UPDATE delivery.webhook_deliveries SET attempts = $2 WHERE id = $1 AND attempts = $3 AND status = 'pending'`,
      [deliveryId, attempt, attempt - 1],
    );
    return claimed > 0;
  }

  async recordAttempt(
    deliveryId: string,
    attempt: number,
    outcome: AttemptOutcome,
    result: AttemptResult,
  ): Promise<void> {
    await this.db.transaction(async (em) => {
      await em.query(
        `INSERT INTO delivery.webhook_attempts (delivery_id, attempt, at, status_code, error, duration_ms)
         VALUES ($1, $2, now(), $3, $4, $5) ON CONFLICT DO NOTHING`,
        [deliveryId, attempt, outcome.statusCode, outcome.error, outcome.ms],
      );
      await em.query(
        `UPDATE delivery.webhook_deliveries
            SET status = $2, next_attempt_at = CASE WHEN $2 = 'pending' THEN now() + $3 * interval '1 millisecond' END
          WHERE id = $1`,
        [deliveryId, result.status, result.status === 'pending' ? result.retryInMs : 0],
      );
    });
  }

  /** An endpoint's deliveries, newest first, with their attempts. */
  async page(q: WebhookDeliveriesQuery): Promise<Page<WebhookDeliveryView>> {
    const params: unknown[] = [q.webhookId, q.limit + 1];
    const where = ['d.webhook_id = $1'];
    if (q.status) {
      params.push(q.status);
      where.push(`d.status = $${params.length}`);
    }
    if (q.cursor) {
      const [at, id] = decodeListCursor(q.cursor);
      params.push(at, id);
      where.push(`(d.created_at, d.id) < ($${params.length - 1}::timestamptz, $${params.length})`);
    }
    const rows: WebhookDeliveryRow[] = await this.db.query(
      `SELECT d.id, d.webhook_id, d.event_id, d.event_type, d.status, d.next_attempt_at, d.created_at,
              COALESCE(json_agg(json_build_object('attempt', a.attempt, 'at', a.at, 'statusCode', a.status_code,
                                                  'error', a.error, 'durationMs', a.duration_ms)
                                ORDER BY a.attempt) FILTER (WHERE a.attempt IS NOT NULL), '[]') AS attempts
         FROM delivery.webhook_deliveries d
         LEFT JOIN delivery.webhook_attempts a ON a.delivery_id = d.id
        WHERE ${where.join(' AND ')}
        GROUP BY d.id ORDER BY d.created_at DESC, d.id DESC LIMIT $2`,
      params,
    );
    return listPage(rows, q.limit, toWebhookDeliveryView);
  }
}
