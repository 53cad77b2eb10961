import 'reflect-metadata';
import { Logger, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { runService } from '@parley/runtime';
import { AuthGuard, TokenService } from './auth/auth';
import { ConversationPrecheck } from './conversations/conversation-precheck';
import { ConversationsController } from './conversations/conversations.controller';
import { QueueController } from './conversations/queue.controller';
import { GatewayEnv } from './gateway.env';
import { HistoryController } from './history/history.controller';
import { CommandSender } from './http/command-sender';
import { ProblemFilter, sendProblem, toProblem } from './http/problem';
import { ProblemDoc } from './http/problem.doc';
import { TraceInterceptor } from './http/trace.interceptor';
import { requestValidation } from './http/validation';
import { InboxController } from './inbox/inbox.controller';
import { LiveInbox } from './inbox/live-inbox';
import { WebhooksController } from './webhooks/webhooks.controller';
import { PeopleController } from './people/people.controller';

function apiModule(config: GatewayEnv) {
  @Module({
    imports: [JwtModule.register({ secret: config.PARLEY_JWT_SECRET, signOptions: { algorithm: 'HS256' } })],
    controllers: [
      PeopleController,
      ConversationsController,
      QueueController,
      HistoryController,
      InboxController,
      WebhooksController,
    ],
    providers: [
      TokenService,
      CommandSender,
      ConversationPrecheck,
      LiveInbox,
      { provide: APP_GUARD, useClass: AuthGuard },
    ],
  })
  class GatewayApiModule {}
  return GatewayApiModule;
}

function configureHttp(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  const log = new Logger('Problem');
  // Errors raised by Fastify before a route runs (bad JSON, body too large) are problems too.
  fastify.setErrorHandler((error, _request, reply) => sendProblem(reply, toProblem(error, log)));
  app.useGlobalFilters(new ProblemFilter());
  app.useGlobalPipes(requestValidation);
  app.useGlobalInterceptors(new TraceInterceptor());

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Parley API')
      .setDescription(
        'Asynchronous customer messaging. Writes answer 202 once the command is stored in JetStream; ' +
          'errors are RFC 9457 problem+json.',
      )
      .setVersion('1')
      .addBearerAuth()
      .build(),
    { extraModels: [ProblemDoc] },
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
}

void runService({
  name: 'gateway',
  defaultPort: 3000,
  env: GatewayEnv,
  imports: (config) => [apiModule(config)],
  configureHttp,
});
