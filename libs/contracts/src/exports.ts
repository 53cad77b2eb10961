import { Matches } from 'class-validator';
import { Command, ConversationStatus, ID_PATTERN, Priority } from './commands';
import type { RatingChannel, MessageVia } from './events';
import { NAMESPACE } from './namespace';
import { Role } from './principal';
import { CommandSubjects } from './subjects';
import type { AttachmentRef } from './attachments';

/**
 * The JetStream object store a customer's export is written into (stream `OBJ_<bucket>`), one
 * object per part: `<customerId>/<exportId>/<part>.json`. Everything under `<customerId>/` is the
 * customer's, which is how an erasure finds it. See docs/adr/0016-customer-export.md.
 */
export function exportsBucket(): string {
  return `${NAMESPACE}-exports`;
}

/** How long an export's parts are kept: the bucket's max age. A download after that finds none. */
export const EXPORT_MAX_AGE_DAYS = 7;

/** Each service that holds something of a customer writes one part; the export is ready once all are in. */
export const EXPORT_PARTS = ['conversation', 'history', 'mail'] as const;
export type ExportPart = (typeof EXPORT_PARTS)[number];

/** The object the gateway writes when an export is asked for: what makes it known before any part is in. */
export const EXPORT_REQUEST = 'request';

/** `<customerId>/<exportId>/<part>.json`: every object of an export, by what it holds. */
export function exportObjectName(
  customerId: string,
  exportId: string,
  part: ExportPart | typeof EXPORT_REQUEST,
): string {
  return `${customerId}/${exportId}/${part}.json`;
}

/** Who asked for an export: an admin, or the customer for their own data. */
export interface ExportRequester {
  kind: Role;
  id: string;
}

/** The gateway's record of the request (`request.json`). */
export interface ExportRequest {
  exportId: string;
  customerId: string;
  requestedBy: ExportRequester;
  requestedAt: string;
}

/**
 * Exports everything Parley holds about a customer: the conversation service writes its part and
 * emits `customer.export_requested`, on which history and mail write theirs.
 */
export class ExportCustomer extends Command {
  static readonly subject = CommandSubjects.exportCustomer;
  @Matches(ID_PATTERN) exportId: string;
  @Matches(ID_PATTERN) customerId: string;
}

/** In the customer's partition; names every conversation of theirs, so no service has to know them. */
export interface CustomerExportRequestedData {
  exportId: string;
  customerId: string;
  conversationIds: string[];
  requestedBy: ExportRequester;
  /**
   * Each conversation's last seq when the export was asked for: history writes its part once it has
   * stored them, as their events travel in other partitions and may reach it later.
   */
  lastSeqs: Record<string, number>;
}

/** What every part says of itself. */
interface ExportPartHeader {
  exportId: string;
  customerId: string;
  writtenAt: string;
}

export interface ExportedCustomer {
  id: string;
  externalId: string;
  name: string | null;
  email: string | null;
  attributes: Record<string, unknown>;
  timeZone: string | null;
  createdAt: string;
}

export interface ExportedRating {
  score: number;
  comment: string | null;
  via: RatingChannel;
  ratedAt: string;
}

export interface ExportedConversation {
  id: string;
  subject: string | null;
  status: ConversationStatus;
  priority: Priority;
  assigneeId: string | null;
  team: string | null;
  siteId: string | null;
  /** Label names, in the order they were put on. */
  labels: string[];
  createdAt: string;
  lastMessageAt: string;
  snoozeUntil: string | null;
  /** The seq of its latest message or note. */
  lastSeq: number;
  rating: ExportedRating | null;
}

/** The conversation service's part: the profile, each conversation and its rating. */
export interface ConversationExportPart extends ExportPartHeader {
  /** Null when the customer is unknown to the conversation service. */
  customer: ExportedCustomer | null;
  conversations: ExportedConversation[];
}

export interface ExportedReceipt {
  recipientId: string;
  deliveredAt: string | null;
  readAt: string | null;
}

export interface ExportedMessage {
  id: string;
  conversationId: string;
  seq: number;
  authorId: string;
  authorRole: Role;
  /** Private notes of the team are marked: the customer never saw them in the widget. */
  internal: boolean;
  type: 'message' | 'note';
  body: string;
  via: MessageVia;
  createdAt: string;
  /** Metadata; the files themselves are in the archive under `attachments/<id>-<name>`. */
  attachments: AttachmentRef[];
  receipts: ExportedReceipt[];
}

/** History's part: every stored message and note of the customer's conversations, with receipts. */
export interface HistoryExportPart extends ExportPartHeader {
  messages: ExportedMessage[];
}

export interface ExportedEmail {
  /** The email's Message-ID. */
  id: string;
  kind: string;
  conversationId: string | null;
  to: string;
  subject: string;
  text: string;
  status: string;
  /** When it was handed to the mail server, or queued when it never was. */
  sentAt: string;
}

/** Mail's part: every email Parley sent the customer. */
export interface MailExportPart extends ExportPartHeader {
  emails: ExportedEmail[];
}
