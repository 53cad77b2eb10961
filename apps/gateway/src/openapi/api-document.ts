import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { RequestBodyObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { EVENT_ID, INBOX_CURSOR } from '../api/examples';
import { ProblemDoc } from '../api/problem.doc';
import { inboxEventSchemas } from './inbox-events';
import { JsonSchema } from './json-schema';
import { describeResponseHeaders } from './response-headers';
import { webhookPayloadSchemas, webhooks } from './webhooks';
import { REFRESH_COOKIE } from '../sessions/refresh-cookie';

type RequestBody = { $ref?: string; required?: boolean; content?: Record<string, { schema?: JsonSchema }> };
type Operation = {
  operationId: string;
  requestBody?: RequestBody;
  responses: Record<string, { description: string; content?: Record<string, unknown> }>;
};

/**
 * The gateway's OpenAPI 3.1 document, served at /docs/openapi.json: what an integrator generates a
 * client from with openapi-typescript's default options, and what Redocly's `recommended` rules
 * accept. @nestjs/swagger describes the routes from the controllers' decorators; this adds what
 * decorators cannot say: JSON Schema 2020-12 nullability, request bodies as such, response headers,
 * the Server-Sent Events stream, inbox events by type, and the webhooks Parley calls.
 */
export function apiDocument(app: INestApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setOpenAPIVersion('3.1.0')
      .setTitle('Parley API')
      .setDescription(
        'Asynchronous customer messaging. Writes answer 202 once the command is stored in JetStream; ' +
          'with `Prefer: wait=N` (N ≤ 30) they answer once the owning service has applied them (201 or 200 ' +
          'with the result, `Preference-Applied`), or 202 when N seconds pass first. ' +
          'Errors are RFC 9457 problem+json. Events also go to the webhooks subscribed to their type ' +
          '(`webhooks`), signed per the Standard Webhooks specification.',
      )
      .setVersion('1')
      .setLicense('MIT', 'https://opensource.org/licenses/MIT')
      // Relative to where the document was fetched: the gateway serves it and runs behind whatever
      // host a deployment gives it, so any absolute URL would be wrong for every deployment but one.
      .addServer('/', 'The gateway that serves this document')
      .addBearerAuth()
      .addCookieAuth(REFRESH_COOKIE)
      // A mail provider's inbound webhook (POST /v1/mail/inbound/postmark).
      .addBasicAuth()
      .build(),
    { extraModels: [ProblemDoc] },
  );
  const components = (document.components ??= {});
  const schemas = (components.schemas ??= {}) as Record<string, JsonSchema>;
  Object.assign(schemas, inboxEventSchemas(), webhookPayloadSchemas());
  document.webhooks = webhooks();
  nullableAsType(document);
  components.requestBodies = requestBodiesAsSuch(document, schemas);
  describeResponseHeaders(document);
  describeInboxStream(operation(document, 'streamInbox'));
  return document;
}

function operation(document: OpenAPIObject, operationId: string): Operation {
  for (const item of Object.values(document.paths))
    for (const candidate of Object.values(item) as Operation[])
      if (candidate.operationId === operationId) return candidate;
  throw new Error(`The document has no operation ${operationId}`);
}

/**
 * OpenAPI 3.0's `nullable: true`, which @nestjs/swagger still writes, is `null` among the types in
 * 3.1 (and among the values of an enum). Examples are values, not schemas: they are left alone.
 */
function nullableAsType(node: unknown): void {
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node)) return node.forEach(nullableAsType);
  const schema = node as JsonSchema;
  if (schema.nullable === true) {
    delete schema.nullable;
    if (typeof schema.type === 'string') schema.type = [schema.type, 'null'];
    if (schema.enum && !schema.enum.includes(null)) schema.enum = [...schema.enum, null];
  }
  for (const [key, child] of Object.entries(schema)) {
    if (key !== 'example' && key !== 'examples') nullableAsType(child);
  }
}

/**
 * A schema that only ever describes a request body becomes a named request body
 * (`#/components/requestBodies/…`): there a property's `default` is what the gateway assumes when
 * it is left out, and openapi-typescript (default options) keeps it optional, whereas among the
 * shared schemas a default reads as "always present" and would become required.
 */
function requestBodiesAsSuch(
  document: OpenAPIObject,
  schemas: Record<string, JsonSchema>,
): Record<string, RequestBodyObject> {
  const usesOf = new Map<string, RequestBody[]>();
  for (const item of Object.values(document.paths)) {
    for (const { requestBody } of Object.values(item) as Operation[]) {
      if (!requestBody) continue;
      const name = requestBody.content?.['application/json']?.schema?.$ref?.replace(
        '#/components/schemas/',
        '',
      );
      if (name) usesOf.set(name, [...(usesOf.get(name) ?? []), requestBody]);
    }
  }
  const text = JSON.stringify(document);
  const requestBodies: Record<string, RequestBody> = {};
  for (const [name, uses] of usesOf) {
    // Referred to from anywhere else too: it stays a shared schema.
    if (text.split(`"#/components/schemas/${name}"`).length - 1 !== uses.length) continue;
    requestBodies[name] = { ...uses[0], content: { 'application/json': { schema: schemas[name] } } };
    delete schemas[name];
    for (const body of uses) {
      delete body.content;
      delete body.required;
      body.$ref = `#/components/requestBodies/${name}`;
    }
  }
  return requestBodies as Record<string, RequestBodyObject>;
}

/**
 * The stream's answer is `text/event-stream`, whose `data:` lines are inbox events. It is written
 * straight to the socket, without the headers other answers collect (the rate limiter's).
 */
function describeInboxStream(stream: Operation): void {
  stream.responses['200'] = {
    description: stream.responses['200'].description,
    content: {
      'text/event-stream': {
        schema: {
          type: 'string',
          description:
            'Server-Sent Events. Each event’s `id:` is its cursor, `event:` its type and `data:` the `InboxEvent` as JSON; `retry:` advises the reconnection delay in milliseconds; a comment line (`:`) comes every 15 s.',
          example: `retry: 2000\n\nid: ${INBOX_CURSOR}\nevent: message.created\ndata: {"id":"${EVENT_ID}","cursor":"${INBOX_CURSOR}","type":"message.created",…}\n\n`,
        },
      },
    },
  };
}
