import { anyPartitionSubject, partitionedSubject } from './partitions';
import { Durables, parleyStreams, StreamNames } from './streams';
import {
  CommandSubjects,
  eventSubject,
  liveSubject,
  QuerySubjects,
  WEBHOOK_DELIVERY_SUBJECT,
} from './subjects';

describe('the default namespace, parley', () => {
  it('names streams, subjects and durables as deployments already have them', () => {
    expect(StreamNames).toEqual({
      commands: 'PARLEY_COMMANDS',
      events: 'PARLEY_EVENTS',
      deadLetters: 'PARLEY_DEAD_LETTERS',
      webhooks: 'PARLEY_WEBHOOKS',
    });
    const streams = parleyStreams({
      eventRetentionDays: 7,
      commandRetentionDays: 7,
      duplicateWindowSeconds: 120,
    });
    expect(Object.fromEntries(streams.map((s) => [s.name, s.subjects]))).toEqual({
      PARLEY_COMMANDS: ['parley.cmd.>'],
      PARLEY_EVENTS: ['parley.evt.>'],
      PARLEY_WEBHOOKS: ['parley.webhook.>'],
      PARLEY_DEAD_LETTERS: ['parley.dlq.>'],
    });
    expect(
      Object.values(Durables).map(({ stream, durable, filterSubject }) => [stream, durable, filterSubject]),
    ).toEqual([
      ['PARLEY_COMMANDS', 'conversation', 'parley.cmd.conversation.>'],
      ['PARLEY_EVENTS', 'history', 'parley.evt.>'],
      ['PARLEY_COMMANDS', 'history-commands', 'parley.cmd.conversation.>'],
      ['PARLEY_EVENTS', 'delivery', 'parley.evt.>'],
      ['PARLEY_COMMANDS', 'delivery-commands', 'parley.cmd.delivery.>'],
      ['PARLEY_EVENTS', 'mail', 'parley.evt.>'],
      ['PARLEY_COMMANDS', 'mail-commands', 'parley.cmd.mail.>'],
      ['PARLEY_COMMANDS', 'history-audit', 'parley.cmd.*.history.audit.>'],
      ['PARLEY_WEBHOOKS', 'webhook-sender', 'parley.webhook.>'],
    ]);
    expect(CommandSubjects.openConversation).toBe('parley.cmd.conversation.open');
    expect(QuerySubjects.inbox).toBe('parley.query.delivery.inbox');
    expect(liveSubject('p1')).toBe('parley.live.p1');
    expect(WEBHOOK_DELIVERY_SUBJECT).toBe('parley.webhook.delivery');
    expect(partitionedSubject(CommandSubjects.openConversation, 7)).toBe('parley.cmd.7.conversation.open');
    expect(anyPartitionSubject(eventSubject('message.created'))).toBe('parley.evt.*.message.created');
  });
});
