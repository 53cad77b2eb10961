import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { DeleteWebhook, RegisterWebhook, RetryWebhookDelivery, SendWebhook } from '@parley/contracts';
import { HandleCommand } from '@parley/jetstream';
import { WebhookRepository } from './webhook.repository';
import { WebhookSender } from './webhook-sender';

/** Admins' webhook commands, and the work items of the webhook stream (one attempt each). */
@Controller()
export class WebhookCommandsHandler {
  constructor(
    private readonly webhooks: WebhookRepository,
    private readonly sender: WebhookSender,
  ) {}

  @HandleCommand(RegisterWebhook)
  async register(@Payload() cmd: RegisterWebhook): Promise<void> {
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
