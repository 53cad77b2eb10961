import { CONVERSATION_ID, INBOX_CURSOR, REPLIED_AT } from '../api/examples';
import { EVENT_DATA_SCHEMAS, pascalName, PUBLIC_EVENTS } from './event-data';
import { JsonSchema, schemaRef, text, textOrNull, timestamp } from './json-schema';

/** A union of component schemas told apart by their `type`, as code generators read it. */
function unionByType(description: string, variants: Array<{ type: string; schema: string }>): JsonSchema {
  return {
    description,
    oneOf: variants.map(({ schema }) => schemaRef(schema)),
    discriminator: {
      propertyName: 'type',
      mapping: Object.fromEntries(
        variants.map(({ type, schema }) => [type, `#/components/schemas/${schema}`]),
      ),
    },
  };
}

/**
 * The schemas of inbox events: `InboxEvent` is the union of one schema per event type
 * (`MessageCreatedEvent`, …), each with its own `data`, so a client that checks `type` knows the
 * shape of `data`. They replace the single schema of the controller's class, whose `data` is open.
 */
export function inboxEventSchemas(): Record<string, JsonSchema> {
  const variants = PUBLIC_EVENTS.map((event) => ({ ...event, schema: `${pascalName(event.type)}Event` }));
  return {
    ...EVENT_DATA_SCHEMAS,
    ...Object.fromEntries(
      variants.map(({ type, data, summary, exampleId, schema }): [string, JsonSchema] => [
        schema,
        {
          type: 'object',
          description: summary,
          properties: {
            id: text(exampleId, '`<type>:<entity id>`, the same in webhooks'),
            cursor: text(INBOX_CURSOR, 'Its position in this inbox; also its SSE `id:`'),
            type: { type: 'string', const: type, example: type },
            conversationId: textOrNull(CONVERSATION_ID),
            occurredAt: timestamp(REPLIED_AT),
            data: schemaRef(data),
          },
          required: ['id', 'cursor', 'type', 'conversationId', 'occurredAt', 'data'],
        },
      ]),
    ),
    InboxEvent: unionByType('An event in an inbox; `data` depends on `type`', variants),
  };
}
