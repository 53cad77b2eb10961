import type { OpenAPIObject } from '@nestjs/swagger';
import { CONVERSATION_ID, DELIVERY_ID, EVENT_ID, REPLIED_AT } from '../api/examples';
import { EVENT_DATA_SCHEMAS, pascalName, PUBLIC_EVENTS } from './event-data';
import { JsonSchema, schemaRef, text, textOrNull, timestamp } from './json-schema';

/** Standard Webhooks headers on every call, as apps/delivery/src/webhooks/webhook-deliveries.ts sends them. */
const SIGNATURE_HEADERS = [
  {
    name: 'webhook-id',
    description: 'The delivery’s id: the same on every retry of it, so a receiver can drop repeats',
    example: DELIVERY_ID,
  },
  {
    name: 'webhook-timestamp',
    description: 'When this attempt was sent, in Unix seconds; refuse ones too far from now (replays)',
    example: '1795598431',
  },
  {
    name: 'webhook-signature',
    description:
      '`v1,` and the base64 HMAC-SHA256 of `<webhook-id>.<webhook-timestamp>.<body>` keyed with the webhook’s secret (base64 after `whsec_`)',
    example: 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=',
  },
].map(({ name, description, example }) => ({
  name,
  in: 'header',
  required: true,
  description,
  schema: { type: 'string' },
  example,
}));

const payloadSchema = (type: string) => `${pascalName(type)}Webhook`;

/** What a webhook call adds to the event's data (`conversationId` is in every public event's data too). */
const EVENT_IDS: Record<string, JsonSchema> = {
  eventId: text(EVENT_ID, 'The event’s id, as in inboxes'),
  conversationId: textOrNull(CONVERSATION_ID),
};

/**
 * The body of each webhook call, one schema per event type: `data` is the event's own data with the
 * event's id added, in one object as it is sent.
 */
export function webhookPayloadSchemas(): Record<string, JsonSchema> {
  return Object.fromEntries(
    PUBLIC_EVENTS.map(({ type, data, summary }): [string, JsonSchema] => {
      const eventData: JsonSchema = EVENT_DATA_SCHEMAS[data];
      const properties = { ...EVENT_IDS, ...eventData.properties };
      return [
        payloadSchema(type),
        {
          type: 'object',
          description: summary,
          properties: {
            type: { type: 'string', const: type, example: type },
            timestamp: timestamp(REPLIED_AT, 'When the event happened'),
            data: {
              type: 'object',
              description: `${eventData.description}, and which event it is`,
              properties,
              required: [...new Set([...Object.keys(EVENT_IDS), ...(eventData.required ?? [])])],
              example: Object.fromEntries(Object.entries(properties).map(([name, p]) => [name, p.example])),
            },
          },
          required: ['type', 'timestamp', 'data'],
        },
      ];
    }),
  );
}

/** The calls Parley makes to a registered webhook's URL, one per event type it subscribed to. */
export function webhooks(): NonNullable<OpenAPIObject['webhooks']> {
  return Object.fromEntries(
    PUBLIC_EVENTS.map(({ type, summary }) => [
      type,
      {
        post: {
          operationId: `${pascalName(type)[0].toLowerCase()}${pascalName(type).slice(1)}Webhook`,
          summary,
          description:
            'Sent to each webhook subscribed to this event type (`POST /v1/webhooks`), signed per the Standard Webhooks specification. Any answer but 2xx, or none within the timeout, is retried on the configured schedule with the same `webhook-id`.',
          tags: ['webhooks'],
          security: [],
          parameters: SIGNATURE_HEADERS,
          requestBody: {
            required: true,
            content: { 'application/json': { schema: schemaRef(payloadSchema(type)) } },
          },
          responses: {
            '2XX': { description: 'Received; the delivery succeeded' },
            '4XX': { description: 'Refused; retried like any failure, then marked failed' },
            '5XX': { description: 'Failed; retried on the schedule, then marked failed' },
          },
        },
      },
    ]),
  ) as NonNullable<OpenAPIObject['webhooks']>;
}
