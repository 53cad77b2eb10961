import { IsIn, IsInt, IsISO8601, IsOptional, Matches, Min } from 'class-validator';
import { createHash } from 'node:crypto';
import { Command, ID_PATTERN } from './commands';
import { Role } from './principal';
import { CommandSubjects } from './subjects';

/**
 * Every store an erasure reaches, as its certificate lists them. `streams` is cryptographic: the
 * JetStream copies stay until they age out, sealed under keys that no longer exist.
 */
export const ERASURE_STORES = [
  'conversation',
  'attachments',
  'exports',
  'streams',
  'history',
  'delivery',
  'mail',
] as const;
export type ErasureStore = (typeof ERASURE_STORES)[number];

/** The stores whose own service confirms its part with `erasure.confirm`. */
export const CONFIRMING_STORES = ['history', 'delivery', 'mail'] as const;
export type ConfirmingStore = (typeof CONFIRMING_STORES)[number];

export type ErasureMethod = 'deleted' | 'cryptographic';

export function erasureMethodOf(store: ErasureStore): ErasureMethod {
  return store === 'streams' ? 'cryptographic' : 'deleted';
}

/**
 * A customer is erased once, so their erasure's id follows from theirs: asking again (an admin, a
 * retry, an approved request) names the same erasure, and JetStream drops the repeated command.
 */
export function erasureIdOf(customerId: string): string {
  return `erasure-${createHash('sha256').update(customerId).digest('hex').slice(0, 40)}`;
}

/** Who asked for something: an admin, or the customer themselves (their request, once approved). */
export interface Requester {
  kind: Role;
  id: string;
}

/**
 * Erases a customer everywhere: the conversation service keeps content-free shells and announces
 * `conversation.erased` per conversation and `customer.erased`; every other store follows them.
 */
export class EraseCustomer extends Command {
  static readonly subject = CommandSubjects.eraseCustomer;
  @Matches(ID_PATTERN) erasureId: string;
  @Matches(ID_PATTERN) customerId: string;
  /** The customer's erasure request this approves, if any. */
  @IsOptional() @Matches(ID_PATTERN) requestId?: string;
}

/**
 * A service's word that it erased what it held of an erasure (after its deletion committed).
 * At least once: the conversation service records the first and ignores the rest.
 */
export class ConfirmErasure extends Command {
  static readonly subject = CommandSubjects.confirmErasure;
  @Matches(ID_PATTERN) erasureId: string;
  /** The erased customer: the confirmation lands in their partition, after the erasure itself. */
  @Matches(ID_PATTERN) customerId: string;
  @IsIn(CONFIRMING_STORES) store: ConfirmingStore;
  @IsISO8601() erasedAt: string;
  /** How many records (rows, objects) it deleted. */
  @IsInt() @Min(0) count: number;
}

/** A customer asks to be erased; an admin approves (`EraseCustomer` with its id) or declines it. */
export class RequestErasure extends Command {
  static readonly subject = CommandSubjects.requestErasure;
  @Matches(ID_PATTERN) requestId: string;
  @Matches(ID_PATTERN) customerId: string;
}

export class DeclineErasureRequest extends Command {
  static readonly subject = CommandSubjects.declineErasureRequest;
  @Matches(ID_PATTERN) requestId: string;
}

/** Why a message into an erased conversation was rejected: the gateway answers it with 410. */
export const CONVERSATION_ERASED_REASON = 'The conversation was erased with its customer.';

/** Why a conversation was erased: its customer's erasure, or its site's retention policy. */
export const ERASURE_REASONS = ['customer-erasure', 'retention'] as const;
export type ErasureReason = (typeof ERASURE_REASONS)[number];

/**
 * `conversation.erased`, in the conversation's partition: every store deletes what it holds of the
 * conversation. Carries no content.
 */
export interface ConversationErasedData {
  conversationId: string;
  customerId: string;
  siteId: string | null;
  reason: ErasureReason;
  /** The customer's erasure; null for retention. */
  erasureId: string | null;
}

/**
 * `customer.erased`, in the customer's partition: every store deletes what it holds of the customer
 * and, once each of `conversationIds` is erased too, confirms the erasure. Never carries content.
 */
export interface CustomerErasedData {
  customerId: string;
  erasureId: string;
  conversationIds: string[];
  requestedBy: Requester;
}

export interface ErasureStoreView {
  store: ErasureStore;
  method: ErasureMethod;
  /** null while the store has not erased its part yet. */
  erasedAt: string | null;
  /** Records deleted; null where it is not counted (keys destroyed) or not in yet. */
  count: number | null;
}

/** The certificate of an erasure: who asked, when, and when each store erased its part. */
export interface ErasureCertificate {
  id: string;
  customerId: string;
  requestedBy: Requester;
  requestedAt: string;
  /** The customer's request it approved, if any. */
  requestId: string | null;
  conversations: number;
  stores: ErasureStoreView[];
  /** When the last store erased its part; null until then. */
  completedAt: string | null;
}

export const ERASURE_REQUEST_STATUSES = ['pending', 'approved', 'declined'] as const;
export type ErasureRequestStatus = (typeof ERASURE_REQUEST_STATUSES)[number];

export interface ErasureRequestView {
  id: string;
  customerId: string;
  status: ErasureRequestStatus;
  requestedAt: string;
  decidedAt: string | null;
  decidedBy: string | null;
  /** The erasure an approval issued. */
  erasureId: string | null;
}

/** `erasure`: one certificate; 404 when there is none. */
export interface ErasureQuery {
  erasureId: string;
}

/** `erasure-request`: by id, or the customer's pending one; 404 when there is none. */
export interface ErasureRequestQuery {
  requestId?: string;
  pendingOf?: string;
}

/** `erasure-requests`: newest first. */
export interface ErasureRequestsQuery {
  status?: ErasureRequestStatus;
  cursor?: string;
  limit: number;
}
