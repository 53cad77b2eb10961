import {
  ATTACHMENT_TYPES,
  AttachmentRef,
  ConversationAssignedData,
  ConversationCreatedData,
  ConversationRatedData,
  ConversationTransferredData,
  EventTypes,
  LabelsChangedData,
  MESSAGE_VIAS,
  MessageRejectedData,
  PRIORITIES,
  PriorityChangedData,
  RATING_CHANNELS,
  ReceiptReadData,
  ROLES,
  StatusChangedData,
  STATUSES,
  StoredMessageData,
} from '@parley/contracts';
import {
  AGENT_ID,
  CONVERSATION_ID,
  CUSTOMER_ID,
  EVENT_ID,
  LABEL_ID,
  MESSAGE_ID,
  OPENED_AT,
  OTHER_AGENT_ID,
  READ_AT,
  REPLIED_AT,
  REPLY_BODY,
  REPLY_ID,
  SITE_ID,
  SNOOZE_UNTIL,
  SUBJECT,
  TEAM,
} from '../api/examples';
import { ATTACHMENT_ID } from '../attachments/attachments.dto';
import { JsonSchema, objectOf, oneOfList, text, textOrNull, timestamp } from './json-schema';

const conversationId = text(CONVERSATION_ID);
const agentId = (description: string) => text(AGENT_ID, description);
const seq = (description: string): JsonSchema => ({ type: 'integer', minimum: 1, example: 2, description });

/** What an event of the public contract carries in `data`, by schema name (libs/contracts/src/events.ts). */
export const EVENT_DATA_SCHEMAS = {
  StoredMessageData: objectOf<StoredMessageData>(
    'A message or private note as history stored it',
    {
      messageId: text(REPLY_ID),
      conversationId,
      seq: seq('Its place in the conversation, from 1 without gaps'),
      authorId: text(AGENT_ID),
      authorRole: oneOfList(ROLES, 'agent'),
      type: oneOfList(['message', 'note'], 'message', '`note` is private to agents'),
      body: text(REPLY_BODY),
      createdAt: timestamp(REPLIED_AT),
      via: oneOfList(
        MESSAGE_VIAS,
        'email',
        'How it arrived: `email` is a customer’s reply by email, `automatic` the site’s automatic reply out of hours; absent is `api`',
      ),
      attachments: {
        type: 'array',
        example: [{ id: ATTACHMENT_ID, name: 'broken-parcel.png', contentType: 'image/png', size: 48213 }],
        description:
          'Files the message carries (absent when none); download them through the `url` that `GET /v1/conversations/{id}/messages` gives each',
        items: objectOf<AttachmentRef>(
          'An attachment',
          {
            id: text(ATTACHMENT_ID),
            name: text('broken-parcel.png'),
            contentType: oneOfList(ATTACHMENT_TYPES, 'image/png', 'As sniffed from the bytes'),
            size: { type: 'integer', minimum: 1, example: 48213, description: 'Bytes' },
            expiredAt: {
              type: 'string',
              format: 'date-time',
              example: '2026-12-07T12:00:00.000Z',
              description:
                "When its site's retention deleted the file (in history's answers, never in this event); its `url` then answers 410",
            },
          },
          ['expiredAt'],
        ),
      },
    },
    ['via', 'attachments'],
  ),
  ConversationCreatedData: objectOf<ConversationCreatedData>(
    'A conversation a customer opened',
    {
      conversationId,
      customerId: text(CUSTOMER_ID),
      siteId: textOrNull(
        SITE_ID,
        'The site whose widget the customer signed in through; null when the API created the customer',
      ),
      subject: textOrNull(SUBJECT),
      status: oneOfList(STATUSES, 'open'),
      priority: oneOfList(PRIORITIES, 'high'),
      createdAt: timestamp(OPENED_AT),
    },
    ['siteId'],
  ),
  MessageRejectedData: objectOf<MessageRejectedData>(
    'A message the conversation service refused after the gateway accepted it (only its author hears)',
    {
      messageId: text(MESSAGE_ID),
      conversationId,
      authorId: text(AGENT_ID),
      reason: text('The conversation does not exist or you are not one of its participants.'),
    },
  ),
  ConversationAssignedData: objectOf<ConversationAssignedData>(
    'A conversation given to an agent, or back to the queue',
    {
      conversationId,
      assigneeId: textOrNull(AGENT_ID, 'The agent now holding it; null when it went back to the queue'),
      previousAssigneeId: textOrNull(OTHER_AGENT_ID),
      assignedBy: text('auto', 'The agent who assigned it, or `auto`'),
      team: textOrNull(TEAM),
    },
  ),
  ConversationTransferredData: objectOf<ConversationTransferredData>(
    'A conversation handed to another agent or team, recorded in its history as a private note',
    {
      conversationId,
      fromAgentId: textOrNull(OTHER_AGENT_ID),
      toAgentId: textOrNull(AGENT_ID),
      team: textOrNull(TEAM),
      reason: textOrNull('Billing question'),
      note: textOrNull('Customer asks about a refund.'),
      transferredBy: agentId('The agent who transferred it'),
      entryId: text(MESSAGE_ID, 'The private note that records the transfer'),
      seq: seq('That note’s place in the conversation'),
    },
  ),
  StatusChangedData: objectOf<StatusChangedData>('A conversation’s new status', {
    conversationId,
    status: oneOfList(STATUSES, 'snoozed'),
    previousStatus: oneOfList(STATUSES, 'open'),
    snoozeUntil: { ...timestamp(SNOOZE_UNTIL), type: ['string', 'null'] },
    changedBy: agentId(
      'The agent who changed it, the customer whose message reopened it, or `snooze` when a snooze ended',
    ),
  }),
  PriorityChangedData: objectOf<PriorityChangedData>('A conversation’s new priority', {
    conversationId,
    priority: oneOfList(PRIORITIES, 'urgent'),
    previousPriority: oneOfList(PRIORITIES, 'high'),
    changedBy: agentId('The agent who changed it'),
  }),
  ReceiptReadData: objectOf<ReceiptReadData>('How far the other side has read', {
    conversationId,
    readerId: text(CUSTOMER_ID),
    readerRole: oneOfList(ROLES, 'customer'),
    seq: seq('Everything up to this seq is read'),
    readAt: timestamp(READ_AT),
  }),
  ConversationRatedData: objectOf<ConversationRatedData>('How the customer rated a resolved conversation', {
    conversationId,
    customerId: text(CUSTOMER_ID),
    agentId: textOrNull(AGENT_ID, 'The agent it was assigned to when rated, whom the rating counts for'),
    siteId: textOrNull(SITE_ID),
    score: {
      type: 'integer',
      minimum: 1,
      maximum: 5,
      example: 5,
      description: '1 (bad) to 5 (great); a later rating replaces an earlier one',
    },
    comment: textOrNull('Quick and friendly, thank you!'),
    via: oneOfList(RATING_CHANNELS, 'email', 'Where the customer rated: in the widget or from the email'),
    ratedAt: timestamp(READ_AT),
  }),
  LabelsChangedData: objectOf<LabelsChangedData>('The labels a conversation carries now', {
    conversationId,
    labels: {
      type: 'array',
      description: 'Every label it carries now, in the order they were put on',
      example: [{ id: LABEL_ID, name: 'refund', colour: '#d93f0b' }],
      items: {
        type: 'object',
        properties: { id: text(LABEL_ID), name: text('refund'), colour: text('#d93f0b', '`#rrggbb`') },
        required: ['id', 'name', 'colour'],
      },
    },
    added: {
      type: 'array',
      items: text(LABEL_ID),
      example: [LABEL_ID],
      description: 'Ids of the labels put on',
    },
    removed: {
      type: 'array',
      items: text(LABEL_ID),
      example: [],
      description: 'Ids of the labels taken off',
    },
    changedBy: agentId('The agent who changed them'),
  }),
} satisfies Record<string, JsonSchema>;

export interface PublicEvent {
  type: string;
  /** The schema in EVENT_DATA_SCHEMAS of its `data`. */
  data: keyof typeof EVENT_DATA_SCHEMAS;
  /** What it means, for the document. */
  summary: string;
  /** An id such an event has (`<type>:<entity id>`). */
  exampleId: string;
}

/** Every event type inboxes and webhooks carry, with what its `data` holds. */
export const PUBLIC_EVENTS: PublicEvent[] = [
  {
    type: EventTypes.conversationCreated,
    data: 'ConversationCreatedData',
    summary: 'A customer opened a conversation',
    exampleId: `${EventTypes.conversationCreated}:${CONVERSATION_ID}`,
  },
  {
    type: EventTypes.messageCreated,
    data: 'StoredMessageData',
    summary: 'A message was stored in a conversation',
    exampleId: EVENT_ID,
  },
  {
    type: EventTypes.noteCreated,
    data: 'StoredMessageData',
    summary: 'A private note was stored in a conversation (agents only)',
    exampleId: `${EventTypes.noteCreated}:${MESSAGE_ID}`,
  },
  {
    type: EventTypes.messageRejected,
    data: 'MessageRejectedData',
    summary: 'A message was refused after it was accepted (its author only)',
    exampleId: `${EventTypes.messageRejected}:${MESSAGE_ID}`,
  },
  {
    type: EventTypes.conversationAssigned,
    data: 'ConversationAssignedData',
    summary: 'A conversation was assigned, or went back to the queue (agents only)',
    exampleId: `${EventTypes.conversationAssigned}:${CONVERSATION_ID}:12`,
  },
  {
    type: EventTypes.conversationTransferred,
    data: 'ConversationTransferredData',
    summary: 'A conversation was transferred (agents only)',
    exampleId: `${EventTypes.conversationTransferred}:${CONVERSATION_ID}:14`,
  },
  {
    type: EventTypes.statusChanged,
    data: 'StatusChangedData',
    summary: 'A conversation’s status changed',
    exampleId: `${EventTypes.statusChanged}:${CONVERSATION_ID}:15`,
  },
  {
    type: EventTypes.priorityChanged,
    data: 'PriorityChangedData',
    summary: 'A conversation’s priority changed (agents only)',
    exampleId: `${EventTypes.priorityChanged}:${CONVERSATION_ID}:16`,
  },
  {
    type: EventTypes.receiptRead,
    data: 'ReceiptReadData',
    summary: 'The other side read up to a message',
    exampleId: `${EventTypes.receiptRead}:${CONVERSATION_ID}:17`,
  },
  {
    type: EventTypes.conversationRated,
    data: 'ConversationRatedData',
    summary: 'The customer rated a resolved conversation (agents only)',
    exampleId: `${EventTypes.conversationRated}:${CONVERSATION_ID}`,
  },
  {
    type: EventTypes.labelsChanged,
    data: 'LabelsChangedData',
    summary:
      'Labels were put on or taken off a conversation (agents only: its assignee, or every agent while it is unassigned)',
    exampleId: `${EventTypes.labelsChanged}:${CONVERSATION_ID}:18`,
  },
];

/** `message.created` → `MessageCreated`, `conversation.status_changed` → `ConversationStatusChanged`. */
export function pascalName(type: string): string {
  return type
    .split(/[._]/)
    .map((word) => word[0].toUpperCase() + word.slice(1))
    .join('');
}
