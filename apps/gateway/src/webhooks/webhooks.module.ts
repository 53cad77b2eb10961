import { Module } from '@nestjs/common';
import { SERVICE_CONFIG } from '@parley/runtime';
import { SecretBox } from '@parley/secrets';
import { GatewayEnv } from '../gateway.env';
import { WebhookSecrets } from './webhook-secrets';
import { WebhooksController } from './webhooks.controller';

@Module({
  controllers: [WebhooksController],
  providers: [
    {
      provide: SecretBox,
      inject: [SERVICE_CONFIG],
      useFactory: (config: GatewayEnv) => SecretBox.fromKeyRing(config.PARLEY_SECRET_KEY),
    },
    WebhookSecrets,
  ],
})
export class WebhooksModule {}
