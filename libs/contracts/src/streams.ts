import { streamName } from './namespace';
import {
  COMMAND_SUBJECT_PREFIX,
  DEAD_LETTER_SUBJECT_PREFIX,
  EVENT_SUBJECT_PREFIX,
  WEBHOOK_SUBJECT_PREFIX,
} from './subjects';

/** Declarative stream definitions; `ensureStreams` in libs/jetstream creates or updates them at start. */
export interface StreamDefinition {
  name: string;
  subjects: string[];
  /** How long messages are kept, in seconds. */
  maxAgeSeconds: number;
  /** Window in which JetStream drops a publish whose Nats-Msg-Id it has already stored, in seconds. */
  duplicateWindowSeconds: number;
  /** `workqueue`: a message is removed once acked (one consumer per subject). Default `limits`. */
  retention?: 'limits' | 'workqueue';
}

export interface StreamSettings {
  eventRetentionDays: number;
  commandRetentionDays: number;
  duplicateWindowSeconds: number;
}

const DAY = 24 * 60 * 60;

/** `PARLEY_COMMANDS` and so on in the default namespace. */
export const StreamNames = {
  commands: streamName('COMMANDS'),
  events: streamName('EVENTS'),
  deadLetters: streamName('DEAD_LETTERS'),
  webhooks: streamName('WEBHOOKS'),
} as const;

export function parleyStreams(settings: StreamSettings): StreamDefinition[] {
  return [
    {
      name: StreamNames.commands,
      subjects: [`${COMMAND_SUBJECT_PREFIX}.>`],
      maxAgeSeconds: settings.commandRetentionDays * DAY,
      duplicateWindowSeconds: settings.duplicateWindowSeconds,
    },
    {
      name: StreamNames.events,
      subjects: [`${EVENT_SUBJECT_PREFIX}.>`],
      maxAgeSeconds: settings.eventRetentionDays * DAY,
      duplicateWindowSeconds: settings.duplicateWindowSeconds,
    },
    {
      // Pending webhook deliveries; retries wait in the server as nak delays, so they survive restarts.
      name: StreamNames.webhooks,
      subjects: [`${WEBHOOK_SUBJECT_PREFIX}.>`],
      maxAgeSeconds: 7 * DAY,
      duplicateWindowSeconds: settings.duplicateWindowSeconds,
      retention: 'workqueue',
    },
    {
      name: StreamNames.deadLetters,
      subjects: [`${DEAD_LETTER_SUBJECT_PREFIX}.>`],
      maxAgeSeconds: 30 * DAY,
      duplicateWindowSeconds: settings.duplicateWindowSeconds,
    },
  ];
}

/**
 * The durable consumers of each service. A partitioned one is one durable per partition
 * (`<durable>-p<n>`), each consumed in stream order by one process of the service at a time under a
 * lease, so everything about one conversation is applied in the order it was stored, at any
 * process count (docs/adr/0007-partitioned-consumers.md).
 */
export const Durables = {
  /** Messages are applied in batches (one transaction each); every command in stream order. */
  conversationCommands: {
    stream: StreamNames.commands,
    durable: 'conversation',
    filterSubject: `${COMMAND_SUBJECT_PREFIX}.conversation.>`,
    maxBatch: 200,
    partitioned: true,
  },
  /** History's writes are idempotent and keyed by id and seq: it stores events in batches. */
  historyEvents: {
    stream: StreamNames.events,
    durable: 'history',
    filterSubject: `${EVENT_SUBJECT_PREFIX}.>`,
    maxBatch: 500,
    partitioned: true,
  },
  /** History also reads the commands that carry messages, to answer `accepted` before they are stored. */
  historyCommands: {
    stream: StreamNames.commands,
    durable: 'history-commands',
    filterSubject: `${COMMAND_SUBJECT_PREFIX}.conversation.>`,
    maxBatch: 500,
    partitioned: true,
  },
  /**
   * Each inbox holds a conversation's events in the conversation's order. The short ack wait
   * bounds the pause after a crash, when the events a dead owner left unacked come back.
   */
  deliveryEvents: {
    stream: StreamNames.events,
    durable: 'delivery',
    filterSubject: `${EVENT_SUBJECT_PREFIX}.>`,
    maxAckPending: 1000,
    maxBatch: 500,
    ackWaitSeconds: 10,
    partitioned: true,
  },
  deliveryCommands: {
    stream: StreamNames.commands,
    durable: 'delivery-commands',
    filterSubject: `${COMMAND_SUBJECT_PREFIX}.delivery.>`,
    partitioned: true,
  },
  /**
   * Mail follows conversations to email customers who are away and agents who are offline; each
   * partition in order, so a read that cancels a notification is never overtaken by the reply.
   */
  mailEvents: {
    stream: StreamNames.events,
    durable: 'mail',
    filterSubject: `${EVENT_SUBJECT_PREFIX}.>`,
    maxBatch: 200,
    partitioned: true,
  },
  mailCommands: {
    stream: StreamNames.commands,
    durable: 'mail-commands',
    filterSubject: `${COMMAND_SUBJECT_PREFIX}.mail.>`,
    partitioned: true,
  },
  /**
   * The audit trail is one hash chain: its records, from every partition, are appended in stream
   * order by one history process at a time (ordered, under a lease), and batched.
   */
  historyAudit: {
    stream: StreamNames.commands,
    durable: 'history-audit',
    filterSubject: `${COMMAND_SUBJECT_PREFIX}.*.history.audit.>`,
    maxBatch: 200,
    ordered: true,
  },
  /**
   * Webhook work is a shared work queue, not partitioned: a delivery's retries wait as nak delays
   * (so attempts interleave anyway), and Standard Webhooks receivers order by timestamp.
   */
  webhookSender: {
    stream: StreamNames.webhooks,
    durable: 'webhook-sender',
    filterSubject: `${WEBHOOK_SUBJECT_PREFIX}.>`,
  },
} as const;
