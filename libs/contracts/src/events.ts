import type { AttachmentRef } from './attachments';
import { IsISO8601, IsObject, IsOptional, IsString, Length } from 'class-validator';
import { ConversationStatus, Presence, Priority } from './commands';
import { Role } from './principal';

/** The event types of the public contract plus the internal ones that keep read models in step. */
export const EventTypes = {
  conversationCreated: 'conversation.created',
  messageCreated: 'message.created',
  noteCreated: 'note.created',
  messageRejected: 'message.rejected',
  conversationAssigned: 'conversation.assigned',
  conversationTransferred: 'conversation.transferred',
  statusChanged: 'conversation.status_changed',
  priorityChanged: 'conversation.priority_changed',
  receiptRead: 'receipt.read',
  agentRegistered: 'agent.registered',
  presenceChanged: 'agent.presence_changed',
  receiptDelivered: 'receipt.delivered',
  customerRegistered: 'customer.registered',
  tokensRevoked: 'agent.tokens_revoked',
  siteConfigured: 'site.configured',
  conversationRated: 'conversation.rated',
  labelsChanged: 'conversation.labels_changed',
  customerUpdated: 'customer.updated',
  customerExportRequested: 'customer.export_requested',
  conversationErased: 'conversation.erased',
  attachmentsExpired: 'attachments.expired',
  customerErased: 'customer.erased',
} as const;
export type EventType = (typeof EventTypes)[keyof typeof EventTypes];

/**
 * The event types of the public contract, the ones delivery hands on: what inboxes carry and what
 * webhooks may subscribe to.
 */
export const DELIVERED_EVENT_TYPES: EventType[] = [
  EventTypes.conversationCreated,
  EventTypes.messageCreated,
  EventTypes.noteCreated,
  EventTypes.messageRejected,
  EventTypes.conversationAssigned,
  EventTypes.conversationTransferred,
  EventTypes.statusChanged,
  EventTypes.priorityChanged,
  EventTypes.receiptRead,
  EventTypes.conversationRated,
  EventTypes.labelsChanged,
];

/**
 * Every domain event travels in this envelope. `customerId` and `assigneeId` describe the
 * conversation at the moment of the event, so delivery can route it without a lookup.
 */
export class DomainEvent<T extends object = Record<string, unknown>> {
  /** Deterministic per fact (`<type>:<entity id>`), so a re-emitted event deduplicates everywhere. */
  @IsString() @Length(1, 200) id: string;
  @IsString() type: string;
  @IsOptional() @IsString() conversationId?: string;
  @IsOptional() @IsString() customerId?: string;
  @IsOptional() @IsString() assigneeId?: string | null;
  @IsISO8601() occurredAt: string;
  @IsObject() data: T;
}

/**
 * How a message reached the conversation when not through the API: `email`, a customer's reply to a
 * notification; `automatic`, the site's automatic reply out of business hours.
 */
export const MESSAGE_VIAS = ['api', 'email', 'automatic'] as const;
export type MessageVia = (typeof MESSAGE_VIAS)[number];

export interface StoredMessageData {
  messageId: string;
  conversationId: string;
  seq: number;
  authorId: string;
  authorRole: Role;
  type: 'message' | 'note';
  body: string;
  createdAt: string;
  /** Absent for `api`, which is how events stored before it existed read too. */
  via?: MessageVia;
  /** Files the message carries; absent when none. */
  attachments?: AttachmentRef[];
}

export interface ConversationCreatedData {
  conversationId: string;
  customerId: string;
  /** The site whose widget the customer signed in through; null for customers the API created. */
  siteId?: string | null;
  subject: string | null;
  status: string;
  priority: Priority;
  createdAt: string;
}

export interface ConversationAssignedData {
  conversationId: string;
  assigneeId: string | null;
  previousAssigneeId: string | null;
  /** The agent who assigned it, or "auto". */
  assignedBy: string;
  team: string | null;
}

export interface ConversationTransferredData {
  conversationId: string;
  fromAgentId: string | null;
  toAgentId: string | null;
  team: string | null;
  reason: string | null;
  note: string | null;
  transferredBy: string;
  /** The private history entry that records the transfer. */
  entryId: string;
  seq: number;
}

export interface StatusChangedData {
  conversationId: string;
  status: ConversationStatus;
  previousStatus: ConversationStatus;
  snoozeUntil: string | null;
  changedBy: string;
}

export interface PriorityChangedData {
  conversationId: string;
  priority: Priority;
  previousPriority: Priority;
  changedBy: string;
}

export interface ReceiptReadData {
  conversationId: string;
  readerId: string;
  readerRole: Role;
  seq: number;
  readAt: string;
}

/** Delivery's word that a recipient acknowledged these messages in their inbox. */
export interface ReceiptDeliveredData {
  recipientId: string;
  messageIds: string[];
  deliveredAt: string;
}

export interface PresenceChangedData {
  agentId: string;
  status: Presence;
}

export interface MessageRejectedData {
  messageId: string;
  conversationId: string;
  authorId: string;
  reason: string;
}

export interface AgentRegisteredData {
  agentId: string;
  name: string;
  email: string;
  teams: string[];
  capacity: number;
}

/**
 * Every token of the agent issued before `tokenVersion` stops working: every gateway follows these
 * events and refuses such tokens from then on, without a lookup per request.
 */
export interface TokensRevokedData {
  agentId: string;
  tokenVersion: number;
}

export interface CustomerRegisteredData {
  customerId: string;
  externalId: string;
  name: string | null;
  email: string | null;
  /** The customer's IANA time zone, when known; absent in events from before it was kept. */
  timeZone?: string | null;
}

/** A site's business hours, in its own time zone: `day` 1 is Monday … 7 Sunday (ISO), times `HH:MM`. */
export interface OpeningHours {
  day: number;
  opens: string;
  closes: string;
}

/** Everything a site is configured with that other services act on, the whole of it in each event. */
export interface SiteConfiguredData {
  siteId: string;
  name: string;
  /** IANA time zone, e.g. `Europe/Berlin`. */
  timeZone: string;
  /** Empty: open around the clock. */
  hours: OpeningHours[];
  /** Dates (`YYYY-MM-DD`, in the site's time zone) when the team is away all day. */
  holidays: string[];
  /** What the team promises when it has no measured figure yet; null: promise nothing. */
  expectedReplyMinutes: number | null;
  /** How long an agent's reply may stay unread before the customer is emailed. */
  notifyDelaySeconds: number;
  /** The automatic reply to the first message that arrives out of hours; null: none. */
  autoReply: string | null;
  /** Where an email's link opens the widget: `{conversationId}` is replaced; null: Parley's own page. */
  conversationUrl: string | null;
}

/** What a site is configured with until its admin says otherwise (the schema's column defaults too). */
export const SITE_SETTINGS_DEFAULTS: Omit<SiteConfiguredData, 'siteId' | 'name'> = {
  timeZone: 'UTC',
  hours: [],
  holidays: [],
  expectedReplyMinutes: null,
  notifyDelaySeconds: 120,
  autoReply: null,
  conversationUrl: null,
};

export const RATING_CHANNELS = ['widget', 'email'] as const;
export type RatingChannel = (typeof RATING_CHANNELS)[number];

export interface ConversationRatedData {
  conversationId: string;
  customerId: string;
  /** The agent the conversation was assigned to when it was rated, whom the rating counts for. */
  agentId: string | null;
  siteId: string | null;
  /** 1 (bad) … 5 (great). A later rating of the same conversation replaces the earlier one. */
  score: number;
  comment: string | null;
  via: RatingChannel;
  ratedAt: string;
}

export function eventId(type: EventType, entityId: string): string {
  return `${type}:${entityId}`;
}
