import { DELIVERED_EVENT_TYPES } from '@parley/contracts';
import { EVENT_DATA_SCHEMAS, pascalName, PUBLIC_EVENTS } from './event-data';

describe('the events the document describes', () => {
  it('are exactly the ones inboxes and webhooks carry, each once, each with a data schema', () => {
    expect(PUBLIC_EVENTS.map((e) => e.type).sort()).toEqual([...DELIVERED_EVENT_TYPES].sort());
    expect(PUBLIC_EVENTS.filter((e) => !(e.data in EVENT_DATA_SCHEMAS))).toEqual([]);
    expect(PUBLIC_EVENTS.filter((e) => !e.exampleId.startsWith(`${e.type}:`))).toEqual([]);
  });

  it('name their schemas after the event type', () => {
    expect(pascalName('message.created')).toBe('MessageCreated');
    expect(pascalName('conversation.status_changed')).toBe('ConversationStatusChanged');
  });
});
