import { Inject, Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { SERVICE_CONFIG } from '@parley/runtime';
import { LinkSigner } from '@parley/secrets';
import { GatewayEnv } from '../gateway.env';
import { UnsubscribeController } from './unsubscribe.controller';

/** What the links in Parley's emails reach: unsubscribing. */
@Module({
  controllers: [UnsubscribeController],
  providers: [
    {
      provide: LinkSigner,
      inject: [SERVICE_CONFIG],
      useFactory: (config: GatewayEnv) => LinkSigner.fromKeyRing(config.PARLEY_SECRET_KEY),
    },
  ],
})
export class MailModule implements OnModuleInit {
  constructor(@Inject(HttpAdapterHost) private readonly http: HttpAdapterHost) {}

  /**
   * RFC 8058 one-click unsubscribes arrive as forms. Read as plain text, like text/plain: a form
   * body is never an object any JSON route would take.
   */
  onModuleInit(): void {
    const fastify = this.http.httpAdapter.getInstance<FastifyInstance>();
    for (const type of ['application/x-www-form-urlencoded', 'multipart/form-data'])
      if (!fastify.hasContentTypeParser(type))
        fastify.addContentTypeParser(type, { parseAs: 'string' }, (_request, body, done) => done(null, body));
  }
}
