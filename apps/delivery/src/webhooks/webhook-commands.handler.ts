import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { DeleteWebhook, RegisterWebhook, RetryWebhookDelivery, SendWebhook } from '@parley/contracts';
import { HandleCommand, PermanentFailure } from '@parley/jetstream';
import { SecretBox } from '@parley/secrets';
import { WebhookRepository } from './webhook.repository';
import { WebhookSender } from './webhook-sender';

/** Admins' webhook commands, and the work items of the webhook stream (one attempt each). */
@Controller()
export class WebhookCommandsHandler {
  constructor(
    private readonly webhooks: WebhookRepository,
    private readonly sender: WebhookSender,
    private readonly box: SecretBox,
  ) {}

  /**
   * The secret is stored as the gateway sealed it, and opened for each attempt's signature. One
   * this process cannot open (sealed under a key its PARLEY_SECRET_KEY lacks) could never sign a
   * delivery, so the registration is refused now rather than every delivery failing later.
   */
  @HandleCommand(RegisterWebhook)
  async register(@Payload() cmd: RegisterWebhook): Promise<void> {
    try {
      this.box.open(cmd.sealedSecret);
    } catch (error) {
      throw new PermanentFailure(`sealedSecret: cannot be opened (${(error as Error).message})`);
    }
    await this.webhooks.register(cmd);
  }

  @HandleCommand(DeleteWebhook)
  async delete(@Payload() cmd: DeleteWebhook): Promise<void> {
    await this.webhooks.remove(cmd.webhookId);
  }

  @HandleCommand(RetryWebhookDelivery)
  async retryDelivery(@Payload() cmd: RetryWebhookDelivery): Promise<void> {
    await this.sender.retry(cmd.webhookId, cmd.deliveryId);
  }

  @HandleCommand(SendWebhook)
  async send(@Payload() job: SendWebhook): Promise<void> {
    await this.sender.send(job);
  }
}
