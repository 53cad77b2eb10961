import { Type } from 'class-transformer';
import { IsInt, Matches, Max, Min } from 'class-validator';
import { DEV_SECRET_KEY, IsSecretKeyRing, ServiceEnv } from '@parley/runtime';
import { IsNetworkList } from './webhooks/webhook-egress';

export class DeliveryEnv extends ServiceEnv {
  /** The key ring webhook signing secrets are sealed under: the gateway's, to open what it sealed. */
  @IsSecretKeyRing()
  PARLEY_SECRET_KEY = DEV_SECRET_KEY;

  /** Seconds to wait before each retry of a failed webhook delivery; after the last, it fails. */
  @Matches(/^\d{1,6}(,\d{1,6}){0,19}$/, {
    message: 'PARLEY_WEBHOOK_RETRY_SCHEDULE must be 1 to 20 comma-separated whole seconds, e.g. 5,30,120',
  })
  PARLEY_WEBHOOK_RETRY_SCHEDULE = '5,30,120,600,1800,7200,21600';

  /** How long one webhook attempt may take before it counts as failed. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(60_000)
  PARLEY_WEBHOOK_TIMEOUT_MS = 10_000;

  /** Webhook requests in flight at once, across all endpoints. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(512)
  PARLEY_WEBHOOK_CONCURRENCY = 32;

  /**
   * Networks outside the public internet that webhooks may reach anyway (an internal receiver):
   * comma-separated IP addresses or CIDR ranges. Empty: webhooks reach public addresses only.
   */
  @IsNetworkList()
  PARLEY_WEBHOOK_ALLOWED_NETWORKS = '';

  get webhookRetrySchedule(): number[] {
    return this.PARLEY_WEBHOOK_RETRY_SCHEDULE.split(',').map(Number);
  }
}
