import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { createHash, randomInt } from 'node:crypto';
import { DomainEvent, SendWebhook } from '@parley/contracts';
import { JetStreamPublisher, RetryLater } from '@parley/jetstream';
import { webhookAttempts } from '@parley/observability';
import { SERVICE_CONFIG } from '@parley/runtime';
import { SecretBox } from '@parley/secrets';
import { fetch } from 'undici';
import { DeliveryEnv } from '../delivery.env';
import { afterAttempt } from './retry-schedule';
import { signWebhook } from './signature';
import {
  AttemptOutcome,
  DeliveryToSend,
  NewDelivery,
  WebhookDeliveryRepository,
  WebhookPayload,
} from './webhook-delivery.repository';
import { WebhookEgress } from './webhook-egress';
import { WebhookRepository } from './webhook.repository';

/** One endpoint never takes more than this many of the sender's slots; the rest wait their turn. */
const PER_ENDPOINT_IN_FLIGHT = 4;

export function deliveryIdFor(webhookId: string, eventId: string): string {
  return `whd_${createHash('sha256').update(`${webhookId}\n${eventId}`).digest('base64url').slice(0, 32)}`;
}

/** The event as its webhook request carries it: its id and conversation beside its data. */
export function webhookPayload(event: DomainEvent): WebhookPayload {
  return {
    type: event.type,
    timestamp: event.occurredAt,
    data: { eventId: event.id, conversationId: event.conversationId ?? null, ...event.data },
  };
}

/**
 * Webhook deliveries per the Standard Webhooks specification: each event an endpoint subscribed
 * to becomes a delivery (its id is the stable `webhook-id`), sent as a work item of the webhook
 * stream, signed, and retried on non-2xx or timeout after the configured schedule with jitter. The
 * waits are nak delays held by JetStream, so a restart neither forgets nor repeats a schedule.
 */
@Injectable()
export class WebhookSender implements OnApplicationShutdown {
  private readonly log = new Logger(WebhookSender.name);
  private readonly inFlight = new Map<string, number>();
  private readonly egress: WebhookEgress;

  constructor(
    private readonly webhooks: WebhookRepository,
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly publisher: JetStreamPublisher,
    @Inject(SERVICE_CONFIG) private readonly config: DeliveryEnv,
    private readonly box: SecretBox,
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
      endpointsOf.set(type, await this.webhooks.subscribedTo(type));
    }
    const deliveries = events.flatMap((event) =>
      (endpointsOf.get(event.type) ?? []).map((webhookId): NewDelivery => ({
        id: deliveryIdFor(webhookId, event.id),
        webhookId,
        eventId: event.id,
        eventType: event.type,
        payload: webhookPayload(event),
      })),
    );
    if (!deliveries.length) return;
    await this.deliveries.record(deliveries);
    await Promise.all(deliveries.map(({ id }) => this.enqueue(id, id)));
  }

  private enqueue(deliveryId: string, msgId: string): Promise<unknown> {
    const job: SendWebhook = { deliveryId };
    return this.publisher.publish(SendWebhook.subject, job, msgId);
  }

  /** Sends a failed (or any) delivery once more, continuing its attempt count. */
  async retry(webhookId: string, deliveryId: string): Promise<void> {
    const attempts = await this.deliveries.reopen(webhookId, deliveryId);
    if (attempts !== undefined) await this.enqueue(deliveryId, `${deliveryId}:retry:${attempts}`);
  }

  async send(job: SendWebhook): Promise<void> {
    const delivery = await this.deliveries.toSend(job.deliveryId);
    if (!delivery || delivery.status !== 'pending') return;
    if (delivery.endpointDeleted) {
      await this.deliveries.fail(delivery.id);
      return;
    }
    const busy = this.inFlight.get(delivery.webhookId) ?? 0;
    if (busy >= PER_ENDPOINT_IN_FLIGHT) throw new RetryLater(250 + randomInt(500), 'endpoint busy');
    const attempt = delivery.attempts + 1;
    if (!(await this.deliveries.claimAttempt(delivery.id, attempt))) return;
    this.inFlight.set(delivery.webhookId, busy + 1);
    let outcome: AttemptOutcome;
    try {
      outcome = await this.post(delivery);
    } finally {
      this.inFlight.set(delivery.webhookId, (this.inFlight.get(delivery.webhookId) ?? 1) - 1);
    }
    const result = afterAttempt(attempt, outcome.statusCode, this.config.webhookRetrySchedule);
    await this.deliveries.recordAttempt(delivery.id, attempt, outcome, result);
    webhookAttempts.inc({ outcome: result.status === 'pending' ? 'retried' : result.status });
    if (result.status === 'pending') {
      throw new RetryLater(
        result.retryInMs,
        `attempt ${attempt} to ${delivery.url}: ${outcome.error ?? outcome.statusCode}`,
      );
    }
    if (result.status === 'failed')
      this.log.warn(`webhook delivery ${delivery.id} failed after ${attempt} attempts`);
  }

  private async post(delivery: DeliveryToSend): Promise<AttemptOutcome> {
    const body = JSON.stringify(delivery.payload);
    const timestamp = Math.floor(Date.now() / 1000);
    const started = Date.now();
    const refusal = this.egress.refusal(delivery.url);
    if (refusal) return { statusCode: null, error: refusal, ms: 0 };
    let secret: string;
    try {
      secret = this.box.open(delivery.sealedSecret);
    } catch (error) {
      return { statusCode: null, error: `cannot sign: secret ${(error as Error).message}`, ms: 0 };
    }
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
          'webhook-signature': signWebhook(secret, delivery.id, timestamp, body),
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
}
