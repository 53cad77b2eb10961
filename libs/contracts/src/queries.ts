import type { AttachmentRef } from './attachments';
import type { AgentRole } from './commands';
import type { MessageVia } from './events';
import { Principal } from './principal';

/** Replies to `parley.query.*` requests: either the result or a problem the gateway turns into HTTP. */
export type QueryReply<T> = { ok: true; data: T } | { ok: false; problem: QueryProblem };

export interface QueryProblem {
  status: number;
  title: string;
  detail: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface ConversationMessagesQuery {
  principal: Principal;
  conversationId: string;
  after?: number;
  before?: number;
  limit: number;
}

export interface MessageView {
  id: string;
  conversationId: string;
  seq: number;
  authorId: string;
  authorRole: string;
  type: 'message' | 'note';
  body: string;
  createdAt: string;
  /** How the message came in: `api` unless it was a reply by email or the automatic reply. */
  via: MessageVia;
  /** Files the message carries; the gateway adds each one's signed download `url`. */
  attachments?: AttachmentView[];
}

/** An attachment as a reader sees it: `url` is a short-lived signed download link. */
export interface AttachmentView extends AttachmentRef {
  url?: string;
}

export interface InboxQuery {
  principal: Principal;
  cursor?: string;
  limit: number;
}

export interface InboxEventView {
  id: string;
  cursor: string;
  type: string;
  conversationId: string | null;
  occurredAt: string;
  data: Record<string, unknown>;
}

export interface InboxPage {
  events: InboxEventView[];
  nextCursor: string | null;
}

export const PAGE_LIMIT_DEFAULT = 50;
export const PAGE_LIMIT_MAX = 200;

export interface AgentView {
  id: string;
  name: string;
  email: string;
  teams: string[];
  capacity: number;
  presence: string;
  /** Open and pending conversations assigned to the agent now. */
  load: number;
  role: AgentRole;
  /** False until the agent has set a password through their invite. */
  signedUp: boolean;
  /** False once deactivated: the agent can no longer sign in. */
  active: boolean;
}

/** `agentInvite`: the invite whose secret hashes to `inviteHash`. */
export interface AgentInviteQuery {
  inviteHash: string;
}

/** An invite as the gateway checks it before hashing a password for it; 404 when there is none. */
export interface AgentInviteView {
  agentId: string;
  expiresAt: string;
  used: boolean;
}

/** `agentCredentials`: who signs in with this email. */
export interface AgentCredentialsQuery {
  email: string;
}

/**
 * What the gateway checks a password against; 404 when no agent with a password has this email.
 * Answered over request/reply only: the hash is never published to a stream.
 */
export interface AgentCredentialsView {
  agentId: string;
  role: AgentRole;
  active: boolean;
  passwordHash: string;
  /** What the tokens issued now carry; a revocation moves it on. */
  tokenVersion: number;
}

export interface ConversationView {
  id: string;
  customerId: string;
  subject: string | null;
  status: string;
  priority: string;
  assigneeId: string | null;
  team: string | null;
  lastSeq: number;
  lastMessageAt: string;
  createdAt: string;
  snoozeUntil: string | null;
  /** Messages the caller has not read (for customers, notes never count). */
  unread: number;
  lastMessagePreview: string | null;
  /** The site whose widget the customer opened it through; null for API customers. */
  siteId: string | null;
  /** The customer's rating, once the conversation was resolved and rated; the latest one. */
  rating: RatingView | null;
  /** The ids of its labels (`GET /v1/labels` names and colours them), in the order they were put on. */
  labels: string[];
  /** Who wrote the newest customer-visible message, and in which role; null before the first. */
  lastMessageAuthorId: string | null;
  lastMessageAuthorRole: string | null;
  /** The customer's name and email as known, for agents (a saved reply's `{{customer.name}}`). */
  customerName: string | null;
  customerEmail: string | null;
  /** When its customer was erased: a content-free shell ("Erased customer"); null otherwise. */
  erasedAt?: string | null;
}

export interface ConversationListQuery {
  principal: Principal;
  status?: string;
  /** An agent id, or "none" for unassigned. */
  assignee?: string;
  team?: string;
  priority?: string;
  customerId?: string;
  /** Label ids: conversations carrying every one of them. */
  labels?: string[];
  cursor?: string;
  limit: number;
}

export interface ConversationQuery {
  principal: Principal;
  conversationId: string;
}

export interface CursorQuery {
  principal: Principal;
  cursor?: string;
  limit: number;
}

export interface CustomerConversationsQuery extends CursorQuery {
  customerId: string;
}

/** What a write on an existing conversation would need to hold, checked before it is accepted. */
export interface PrecheckQuery {
  principal: Principal;
  conversationId: string;
  agentId?: string;
  seq?: number;
}

/** `ok`: go ahead; `pending`: not known yet, but commands are still in flight, so accept it. */
export interface PrecheckVerdict {
  verdict: 'ok' | 'pending';
}

export interface MessageQuery {
  principal: Principal;
  messageId: string;
}

export interface ReceiptView {
  recipientId: string;
  deliveredAt: string | null;
  readAt: string | null;
}

export interface MessageStatusView {
  id: string;
  conversationId: string;
  seq: number | null;
  authorId: string;
  authorRole: string;
  type: 'message' | 'note';
  body: string | null;
  createdAt: string;
  via: MessageVia;
  status: 'accepted' | 'stored' | 'rejected';
  rejection?: string;
  receipts: ReceiptView[];
  attachments?: AttachmentView[];
}

export interface SearchQuery {
  principal: Principal;
  q: string;
  customerId?: string;
  conversationId?: string;
  cursor?: string;
  limit: number;
}

export interface SearchHit {
  messageId: string;
  conversationId: string;
  customerId: string;
  seq: number;
  authorId: string;
  type: 'message' | 'note';
  createdAt: string;
  rank: number;
  /** The matching passage with hits wrapped in <mark>…</mark>. */
  snippet: string;
}

export interface WebhookView {
  id: string;
  url: string;
  events: string[];
  createdAt: string;
}

/** Whether delivery would call a webhook URL: why not, or null. */
export interface WebhookEndpointQuery {
  url: string;
}

export interface WebhookEndpointVerdict {
  refusal: string | null;
}

/**
 * The sealed signing secret of a webhook id, registered or deleted since: a registration retried
 * with its Idempotency-Key answers with the secret the first attempt showed.
 */
export interface WebhookSecretQuery {
  webhookId: string;
}

export interface WebhookSecretAnswer {
  /** `sealed.v1.…` (libs/secrets); null when no webhook was registered under the id. */
  sealedSecret: string | null;
}

export interface WebhookDeliveriesQuery extends CursorQuery {
  webhookId: string;
  status?: 'pending' | 'succeeded' | 'failed';
}

export interface WebhookAttemptView {
  attempt: number;
  at: string;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

export interface WebhookDeliveryView {
  /** Also the `webhook-id` header: stable across attempts, for the receiver's deduplication. */
  id: string;
  webhookId: string;
  eventId: string;
  eventType: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: WebhookAttemptView[];
  nextAttemptAt: string | null;
  createdAt: string;
}

export interface SiteView {
  id: string;
  name: string;
  allowAnonymous: boolean;
  createdAt: string;
  /** When the current identity-verification secret replaced the one before; null if never rotated. */
  secretRotatedAt: string | null;
}

export interface SiteCredentialsQuery {
  siteId: string;
}

/**
 * What the gateway needs to sign a site's visitors in, for the gateway only: the secret stays
 * sealed on its way, and only the gateway holds the key that opens it.
 */
export interface SiteCredentials {
  siteId: string;
  allowAnonymous: boolean;
  sealedSecret: string;
}

/** `agentSession`: one session, as the gateway checks a refresh against it; 404 when there is none. */
export interface AgentSessionQuery {
  sessionId: string;
}

export interface AgentSessionState {
  agentId: string;
  role: AgentRole;
  /** The agent's, for the access token a refresh issues. */
  tokenVersion: number;
  refreshHash: string;
  /** False once signed out, replayed, or the agent deactivated. */
  live: boolean;
}

/** `agentSessions`: the live sessions of an agent, newest first. */
export interface AgentSessionsQuery {
  agentId: string;
}

/** A device where an agent is signed in. */
export interface SessionView {
  id: string;
  device: string;
  createdAt: string;
  lastUsedAt: string;
}

/** `siteSettings`: what a site is configured with (`SiteConfiguredData`); 404 when no such site. */
export interface SiteSettingsQuery {
  siteId: string;
}

/** `siteAvailability`: whether a site's team is in now, for the widget before sign-in. */
export interface SiteAvailabilityQuery {
  siteId: string;
}

export interface SiteAvailability {
  open: boolean;
  /** When the team is back (RFC 3339); null while open, or when no opening lies ahead. */
  nextOpenAt: string | null;
  timeZone: string;
  /**
   * The median first response (customer's first message to the first agent message) of the site's
   * conversations of the last 14 days; else the site's expected reply time; null when neither.
   */
  usualReplySeconds: number | null;
  /** Whether some active agent's presence is online now. */
  agentsOnline: boolean;
}

export interface RatingView {
  score: number;
  comment: string | null;
  via: 'widget' | 'email';
  ratedAt: string;
}

/** `csat`: ratings given from `from` until before `to`, of one site or agent or all. */
export interface CsatQuery {
  siteId?: string;
  agentId?: string;
  from?: string;
  to?: string;
}

export interface CsatFigure {
  ratings: number;
  /** Mean score, 1 to 5; null without ratings. */
  averageScore: number | null;
  /** Share of ratings of 4 or 5, in percent; null without ratings. */
  csat: number | null;
}

export interface CsatReport {
  overall: CsatFigure;
  /** `siteId` null: conversations of customers the API created. */
  bySite: Array<CsatFigure & { siteId: string | null }>;
  /** `agentId` null: conversations nobody was assigned when rated. */
  byAgent: Array<CsatFigure & { agentId: string | null }>;
}

/**
 * Why an email for the reply domain did not become a message: it was kept as unmatched instead.
 * - `not-a-reply-address`: none of its recipients is a reply address;
 * - `forged-address`: a reply address whose tag does not verify (made up or altered);
 * - `unknown-conversation`: a genuine address of a conversation that does not exist;
 * - `sender-not-customer`: sent from another address than the conversation's customer's;
 * - `empty-reply`: nothing new once quoted history and signature are stripped;
 * - `too-long`: the new text is longer than a message may be.
 */
export const UNMATCHED_MAIL_REASONS = [
  'not-a-reply-address',
  'forged-address',
  'unknown-conversation',
  'sender-not-customer',
  'empty-reply',
  'too-long',
] as const;
export type UnmatchedMailReason = (typeof UNMATCHED_MAIL_REASONS)[number];

/** An email kept for the admin because it could not be matched to a conversation (`GET /v1/mail/unmatched`). */
export interface UnmatchedMailView {
  id: string;
  messageId: string;
  source: string;
  from: string;
  to: string[];
  subject: string;
  reason: UnmatchedMailReason;
  /** The beginning of its text. */
  excerpt: string;
  receivedAt: string;
}
