import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { createHash, randomInt } from 'node:crypto';
import {
  DomainEvent,
  Page,
  SendWebhook,
  WebhookAttemptView,
  WebhookDeliveriesQuery,
  WebhookDeliveryView,
} from '@parley/contracts';
import { JetStreamPublisher, QueryRejected, RetryLater } from '@parley/jetstream';
import { webhookAttempts } from '@parley/observability';
import { SERVICE_CONFIG } from '@parley/runtime';
import { DataSource } from 'typeorm';
import { fetch } from 'undici';
import { DeliveryEnv } from '../delivery.env';
import { signWebhook } from './signature';
import { WebhookEgress } from './webhook-egress';
import { decodeListCursor, encodeListCursor, WebhookRegistry } from './webhook-registry';

/** One endpoint never takes more than this many of the sender's slots; the rest wait their turn. */
const PER_ENDPOINT_IN_FLIGHT = 4;

interface DeliveryRow {
  id: string;
  webhook_id: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: number;
  payload: object;
  url: string;
  secret: string;
  deleted_at: Date | null;
}

export function deliveryIdFor(webhookId: string, eventId: string): string {
  return `whd_${createHash('sha256').update(`${webhookId}\n${eventId}`).digest('base64url').slice(0, 32)}`;
}

/**
 * Webhook deliveries per the Standard Webhooks specification: each event an endpoint subscribed
 * to becomes a delivery (its id is the stable `webhook-id`), sent as a work item of the webhook
 * stream, signed, and retried on non-2xx or timeout after the configured schedule with jitter. The
 * waits are nak delays held by JetStream, so a restart neither forgets nor repeats a schedule.
 */
@Injectable()
export class WebhookDeliveries implements OnApplicationShutdown {
  private readonly log = new Logger(WebhookDeliveries.name);
  private readonly inFlight = new Map<string, number>();
  private readonly egress: WebhookEgress;

  constructor(
    private readonly db: DataSource,
    private readonly registry: WebhookRegistry,
    private readonly publisher: JetStreamPublisher,
    @Inject(SERVICE_CONFIG) private readonly config: DeliveryEnv,
  ) {
    this.egress = new WebhookEgress(config.PARLEY_WEBHOOK_ALLOWED_NETWORKS);
  }

  /** Why a webhook at this URL would never be called, for the gateway to say at registration. */
  endpointRefusal(url: string): Promise<string | null> {
    return this.egress.endpointRefusal(url);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.egress.close();
  }

  /**
   * Records a delivery per subscribed endpoint for each event of a batch and queues them; a
   * redelivered event queues nothing new (the delivery id is derived from endpoint and event).
   */
  async dispatch(events: DomainEvent[]): Promise<void> {
    const endpointsOf = new Map<string, string[]>();
    for (const type of new Set(events.map((e) => e.type))) {
      endpointsOf.set(type, await this.registry.subscribedTo(type));
    }
    const deliveries = events.flatMap((event) =>
      (endpointsOf.get(event.type) ?? []).map((webhookId) => ({
        id: deliveryIdFor(webhookId, event.id),
        webhookId,
        event,
      })),
    );
    if (!deliveries.length) return;
    await this.db.query(
      `INSERT INTO delivery.webhook_deliveries (id, webhook_id, event_id, event_type, payload, next_attempt_at)
       SELECT d.*, now() FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[])
                              AS d (id, webhook_id, event_id, event_type, payload)
       ON CONFLICT (id) DO NOTHING`,
      [
        deliveries.map((d) => d.id),
        deliveries.map((d) => d.webhookId),
        deliveries.map((d) => d.event.id),
        deliveries.map((d) => d.event.type),
        deliveries.map(({ event }) =>
          JSON.stringify({
            type: event.type,
            timestamp: event.occurredAt,
            data: { eventId: event.id, conversationId: event.conversationId ?? null, ...event.data },
          }),
        ),
      ],
    );
    await Promise.all(deliveries.map(({ id }) => this.enqueue(id, id)));
  }

  private enqueue(deliveryId: string, msgId: string): Promise<unknown> {
    const job: SendWebhook = { deliveryId };
    return this.publisher.publish(SendWebhook.subject, job, msgId);
  }

  /** Sends a failed (or any) delivery once more, continuing its attempt count. */
  async retry(webhookId: string, deliveryId: string): Promise<void> {
    // TypeORM answers an UPDATE with [rows, count].
    const [rows]: [Array<{ attempts: number }>, number] = await this.db.query(
      `UPDATE delivery.webhook_deliveries SET status = 'pending', next_attempt_at = now()
        WHERE id = $1 AND webhook_id = $2 RETURNING attempts`,
      [deliveryId, webhookId],
    );
    const row = rows[0];
    if (row) await this.enqueue(deliveryId, `${deliveryId}:retry:${row.attempts}`);
  }

  async send(job: SendWebhook): Promise<void> {
    const [delivery]: DeliveryRow[] = await this.db.query(
      `SELECT d.id, d.webhook_id, d.status, d.attempts, d.payload, w.url, w.secret, w.deleted_at
         FROM delivery.webhook_deliveries d JOIN delivery.webhooks w ON w.id = d.webhook_id WHERE d.id = $1`,
      [job.deliveryId],
    );
    if (!delivery || delivery.status !== 'pending') return;
    if (delivery.deleted_at) {
      await this.db.query(
        "UPDATE delivery.webhook_deliveries SET status = 'failed', next_attempt_at = NULL WHERE id = $1",
        [delivery.id],
      );
      return;
    }
    const busy = this.inFlight.get(delivery.webhook_id) ?? 0;
    if (busy >= PER_ENDPOINT_IN_FLIGHT) throw new RetryLater(250 + randomInt(500), 'endpoint busy');
    // Claim the attempt number: of two work items for one delivery (a manual retry during a
    // scheduled wait), only one makes each attempt.
    const attempt = delivery.attempts + 1;
    const [, claimed]: [unknown[], number] = await this.db.query(
      `UPDATE delivery.webhook_deliveries SET attempts = $2 WHERE id = $1 AND attempts = $3 AND status = 'pending'`,
      [delivery.id, attempt, delivery.attempts],
    );
    if (!claimed) return;
    this.inFlight.set(delivery.webhook_id, busy + 1);
    let outcome: { statusCode: number | null; error: string | null; ms: number };
    try {
      outcome = await this.post(delivery);
    } finally {
      this.inFlight.set(delivery.webhook_id, (this.inFlight.get(delivery.webhook_id) ?? 1) - 1);
    }
    const succeeded = outcome.statusCode !== null && outcome.statusCode >= 200 && outcome.statusCode < 300;
    const schedule = this.config.webhookRetrySchedule;
    const waitMs =
      attempt <= schedule.length
        ? Math.round(schedule[attempt - 1] * 1000 * (0.8 + Math.random() * 0.4))
        : null;
    const status = succeeded ? 'succeeded' : waitMs === null ? 'failed' : 'pending';
    await this.db.transaction(async (em) => {
      await em.query(
        `INSERT INTO delivery.webhook_attempts (delivery_id, attempt, at, status_code, error, duration_ms)
         VALUES ($1, $2, now(), $3, $4, $5) ON CONFLICT DO NOTHING`,
        [delivery.id, attempt, outcome.statusCode, outcome.error, outcome.ms],
      );
      await em.query(
        `UPDATE delivery.webhook_deliveries
            SET status = $2, next_attempt_at = CASE WHEN $2 = 'pending' THEN now() + $3 * interval '1 millisecond' END
          WHERE id = $1`,
        [delivery.id, status, waitMs ?? 0],
      );
    });
    webhookAttempts.inc({ outcome: status === 'pending' ? 'retried' : status });
    if (status === 'pending') {
      throw new RetryLater(
        waitMs ?? 0,
        `attempt ${attempt} to ${delivery.url}: ${outcome.error ?? outcome.statusCode}`,
      );
    }
    if (status === 'failed')
      this.log.warn(`webhook delivery ${delivery.id} failed after ${attempt} attempts`);
  }

  private async post(delivery: DeliveryRow) {
    const body = JSON.stringify(delivery.payload);
    const timestamp = Math.floor(Date.now() / 1000);
    const started = Date.now();
    const refusal = this.egress.refusal(delivery.url);
    if (refusal) return { statusCode: null, error: refusal, ms: 0 };
    try {
      const res = await fetch(delivery.url, {
        method: 'POST',
        body,
        redirect: 'manual',
        dispatcher: this.egress.dispatcher,
        signal: AbortSignal.timeout(this.config.PARLEY_WEBHOOK_TIMEOUT_MS),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Parley-Webhooks/1',
          'webhook-id': delivery.id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signWebhook(delivery.secret, delivery.id, timestamp, body),
        },
      });
      await res.body?.cancel();
      return {
        statusCode: res.status,
        error: res.ok ? null : `HTTP ${res.status}`,
        ms: Date.now() - started,
      };
    } catch (error) {
      // fetch reports every network failure as "fetch failed"; what failed is its cause.
      const failure = (error as Error & { cause?: Error }).cause ?? (error as Error);
      const reason = (error as Error).name === 'TimeoutError' ? 'timed out' : failure.message;
      return { statusCode: null, error: reason.slice(0, 500), ms: Date.now() - started };
    }
  }

  async list(q: WebhookDeliveriesQuery): Promise<Page<WebhookDeliveryView>> {
    if (!(await this.registry.exists(q.webhookId))) {
      throw new QueryRejected(404, 'Not found', `Webhook ${q.webhookId} was not found.`);
    }
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
    const rows = await this.db.query(
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
    const items = rows.slice(0, q.limit);
    const last = items[items.length - 1];
    return {
      items: items.map((r: Record<string, never>) => ({
        id: r.id,
        webhookId: r.webhook_id,
        eventId: r.event_id,
        eventType: r.event_type,
        status: r.status,
        attempts: (r.attempts as WebhookAttemptView[]).map((a) => ({
          ...a,
          at: new Date(a.at).toISOString(),
        })),
        nextAttemptAt: (r.next_attempt_at as Date | null)?.toISOString() ?? null,
        createdAt: (r.created_at as Date).toISOString(),
      })),
      nextCursor: rows.length > q.limit && last ? encodeListCursor(last.created_at, last.id) : null,
    };
  }
}
