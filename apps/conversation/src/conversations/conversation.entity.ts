import type {
  ConversationStatus,
  ConversationView,
  OpenConversation,
  Priority,
  RatingView,
} from '@parley/contracts';

/** A conversation as stored: one row of `conversation.conversations`. */
export interface Conversation {
  id: string;
  customerId: string;
  subject: string | null;
  status: ConversationStatus;
  priority: Priority;
  assigneeId: string | null;
  team: string | null;
  /** The seq of the newest message or note; the next one gets lastSeq + 1. */
  lastSeq: number;
  lastMessageAt: Date;
  /** The start of the newest customer-visible message, for lists. */
  lastMessagePreview: string | null;
  snoozeUntil: Date | null;
  /** When it entered the queue (open and unassigned); the queue is served oldest first per priority. */
  queuedAt: Date | null;
  createdAt: Date;
  /** The site whose widget the customer opened it through; null for customers the API created. */
  siteId: string | null;
  /** When an agent first answered (the automatic reply does not count): the site's reply times. */
  firstResponseAt: Date | null;
  /** When the site's automatic reply went out: it goes out once per conversation. */
  autoRepliedAt: Date | null;
  /** The ids of its labels, in the order they were put on. */
  labels: string[];
  /** When it was last resolved, while it is: the age a site's retention policy measures. */
  resolvedAt: Date | null;
  /** When its customer was erased: from then on a shell without content, closed to every command. */
  erasedAt: Date | null;
}

/** Each field's column: the repository reads and writes rows through this, so a field cannot be missed. */
export const CONVERSATION_COLUMNS: { readonly [F in keyof Conversation]-?: string } = {
  id: 'id',
  customerId: 'customer_id',
  subject: 'subject',
  status: 'status',
  priority: 'priority',
  assigneeId: 'assignee_id',
  team: 'team',
  lastSeq: 'last_seq',
  lastMessageAt: 'last_message_at',
  lastMessagePreview: 'last_message_preview',
  snoozeUntil: 'snooze_until',
  queuedAt: 'queued_at',
  createdAt: 'created_at',
  siteId: 'site_id',
  firstResponseAt: 'first_response_at',
  autoRepliedAt: 'auto_replied_at',
  labels: 'labels',
  resolvedAt: 'resolved_at',
  erasedAt: 'erased_at',
};

/** A conversation the customer opens: open, unassigned and queued until assignment decides. */
export function openedConversation(cmd: OpenConversation, now: Date): Conversation {
  return {
    id: cmd.conversationId,
    customerId: cmd.issuedBy.id,
    subject: cmd.subject ?? null,
    status: 'open',
    priority: cmd.priority,
    assigneeId: null,
    team: null,
    lastSeq: 0,
    lastMessageAt: now,
    lastMessagePreview: null,
    snoozeUntil: null,
    queuedAt: now,
    createdAt: now,
    siteId: cmd.siteId ?? null,
    firstResponseAt: null,
    autoRepliedAt: null,
    labels: [],
    resolvedAt: null,
    erasedAt: null,
  };
}

/** The conversation as a caller sees it, with how many of its messages that caller has not read. */
export function conversationView(
  conversation: Conversation,
  unread: number,
  rating: RatingView | null,
  lastAuthor: { id: string; role: string } | null,
  customer: { name: string | null; email: string | null },
): ConversationView {
  return {
    id: conversation.id,
    customerId: conversation.customerId,
    subject: conversation.subject,
    status: conversation.status,
    priority: conversation.priority,
    assigneeId: conversation.assigneeId,
    team: conversation.team,
    lastSeq: conversation.lastSeq,
    lastMessageAt: conversation.lastMessageAt.toISOString(),
    createdAt: conversation.createdAt.toISOString(),
    snoozeUntil: conversation.snoozeUntil?.toISOString() ?? null,
    unread,
    lastMessagePreview: conversation.lastMessagePreview,
    siteId: conversation.siteId,
    rating,
    labels: conversation.labels,
    lastMessageAuthorId: lastAuthor?.id ?? null,
    lastMessageAuthorRole: lastAuthor?.role ?? null,
    customerName: customer.name,
    customerEmail: customer.email,
    erasedAt: conversation.erasedAt?.toISOString() ?? null,
  };
}
