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
