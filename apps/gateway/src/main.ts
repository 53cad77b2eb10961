import 'reflect-metadata';
import helmet from 'helmet';
import cookie from '@fastify/cookie';
import { Logger } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { runService } from '@parley/runtime';
import { AdminModule } from './admin/admin.module';
import { ApiModule } from './api/api.module';
import { AttachmentsModule } from './attachments/attachments.module';
import { isUploadRoute } from './attachments/upload-body';
import { jsonDepth, MAX_JSON_DEPTH } from './api/json-depth';
import { ProblemFilter, sendProblem, toProblem } from './api/problem';
import { registerRateLimits } from './api/rate-limits';
import { readBodiesSafely } from './api/request-body';
import { recordRoutes } from './api/route-table';
import { traceRequests } from './api/request-trace';
import { trustProxyOption } from './api/trusted-proxies';
import { requestValidation } from './api/validation';
import { refuseDevelopmentSecrets, TokenService } from './auth/auth';
import { ConversationsModule } from './conversations/conversations.module';
import { ExportsModule } from './exports/exports.module';
import { GatewayEnv } from './gateway.env';
import { InboundMailModule } from './inbound-mail/inbound-mail.module';
import { InboxModule } from './inbox/inbox.module';
import { MailModule } from './mail/mail.module';
import { LabelsModule } from './labels/labels.module';
import { MessagesModule } from './messages/messages.module';
import { PeopleModule } from './people/people.module';
import { PrivacyModule } from './privacy/privacy.module';
import { ReportsModule } from './reports/reports.module';
import { RetentionModule } from './retention/retention.module';
import { SavedRepliesModule } from './saved-replies/saved-replies.module';
import { SearchModule } from './search/search.module';
import { SitesModule } from './sites/sites.module';
import { SessionsModule } from './sessions/sessions.module';
import { TypingModule } from './typing/typing.module';
import { apiDocument } from './openapi/api-document';
import { PAGE_SOURCES } from './web/page-sources';
import { serveWebApps } from './web/web-apps';
import { WebhooksModule } from './webhooks/webhooks.module';

async function configureHttp(app: NestFastifyApplication, config: GatewayEnv): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  // Built once: @fastify/helmet built helmet's middleware again for every request (3% of the
  // gateway's CPU under load: docs/performance.md).
  const secureHeaders = helmet({ contentSecurityPolicy: { directives: PAGE_SOURCES } });
  fastify.addHook('onRequest', (request, reply, done) =>
    secureHeaders(request.raw, reply.raw, (error?: unknown) => done(error as Error | undefined)),
  );
  // The console's refresh token travels only as an httpOnly cookie (apps/gateway/src/sessions).
  await app.register(cookie);
  await registerRateLimits(app, config);
  // Before any controller is registered (the app initialises after this), so that all are seen.
  const apiRoutes = recordRoutes(fastify);
  traceRequests(fastify);
  readBodiesSafely(fastify, app.get(TokenService));
  fastify.addHook('preValidation', async (request) => {
    // An upload's body is the file's stream, read by its handler alone.
    if (isUploadRoute(request)) return;
    if (jsonDepth(request.body) > MAX_JSON_DEPTH) {
      throw Object.assign(new Error(`The body is nested deeper than ${MAX_JSON_DEPTH} levels.`), {
        statusCode: 400,
      });
    }
  });
  // Nest installs Fastify's error handler at init, so errors Fastify raises before a route runs (bad
  // JSON, body too large, the depth check above) reach this filter too and are problems as well.
  app.useGlobalFilters(new ProblemFilter());
  app.useGlobalPipes(requestValidation);

  const document = apiDocument(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
  // Public like the document: the routes the API really has, to check the document against.
  fastify.get('/docs/routes.json', async () => ({ routes: apiRoutes() }));
  await serveWebApps(
    fastify,
    { widgetFrameAncestors: config.PARLEY_WIDGET_FRAME_ANCESTORS },
    new Logger('WebApps'),
  );
}

void runService({
  name: 'gateway',
  defaultPort: 3000,
  env: GatewayEnv,
  checkConfig: refuseDevelopmentSecrets,
  imports: (config) => [
    ApiModule.register(config),
    PeopleModule,
    SessionsModule,
    ConversationsModule,
    MessagesModule,
    SearchModule,
    InboxModule,
    TypingModule,
    WebhooksModule,
    SitesModule,
    ReportsModule,
    AttachmentsModule,
    LabelsModule,
    SavedRepliesModule,
    AdminModule,
    InboundMailModule,
    MailModule,
    ExportsModule,
    RetentionModule,
    PrivacyModule,
  ],
  configureHttp,
  bodyLimitBytes: (config) => config.PARLEY_BODY_LIMIT_BYTES,
  fastifyOptions: (config) => ({
    frameworkErrors: (_error, _request, reply) =>
      sendProblem(
        reply,
        toProblem({ statusCode: 400, message: 'The request URL is not valid.' }, new Logger('Problem')),
      ),
    // Behind an ingress the client address is in X-Forwarded-For; per-IP rate limits need it.
    trustProxy: trustProxyOption(config.PARLEY_TRUSTED_PROXIES),
  }),
});
