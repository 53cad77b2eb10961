import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { AuditActor, AuditFact, AuditSubject, Principal, Role } from '@parley/contracts';

export const AUDITED = 'parley:audited';

/** What an audited route's subject and details are read from: the request and, once it succeeded, the answer. */
export interface AuditedCall {
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
  principal: Principal | undefined;
  /** Undefined for a refusal. */
  answer: unknown;
}

export interface AuditedRoute {
  action: string;
  subject?: (call: AuditedCall) => AuditSubject | null | undefined;
  details?: (call: AuditedCall) => Record<string, AuditFact>;
  /** Recorded only when the caller has one of these roles (reads: agents and admins, not customers). */
  by?: Role[];
  /** Recorded as this action, too, when the route refuses the caller (401, 403). */
  refused?: string;
  /**
   * Repeats of the same action by the same actor on the same subject within a short window are
   * recorded once (a console reloading a conversation it shows): see AuditRecorder.
   */
  collapseRepeats?: boolean;
}

/**
 * Records the route's successful calls in the audit trail (docs/adr/0017-audit-trail.md): the
 * entry is stored in JetStream before the answer leaves, so nothing is answered unaudited. The
 * actor is the caller; `subject` and `details` say what it was about (ids and small facts, never
 * content). A handler may name them itself through `@Audit() note`.
 *
 * @example @Audited('conversation.read', pathId('conversation'), { by: ['agent', 'admin'], collapseRepeats: true })
 */
export const Audited = (
  action: string,
  subject?: AuditedRoute['subject'],
  options: Omit<AuditedRoute, 'action' | 'subject'> = {},
): MethodDecorator => SetMetadata(AUDITED, { action, subject, ...options } satisfies AuditedRoute);

/**
 * How reads of what people wrote are recorded: by agents and admins (a customer reading their own
 * conversation is not audited), a reload within the window counted once.
 */
export const READ_BY_STAFF = { by: ['agent', 'admin'], collapseRepeats: true } satisfies Omit<
  AuditedRoute,
  'action' | 'subject'
>;

/** The subject named by the route's `:id` (or another path parameter). */
export const pathId =
  (kind: string, param = 'id') =>
  (call: AuditedCall): AuditSubject => ({ kind, id: call.params[param] });

/** The subject the answer creates or names (`{id}` of a 202, `conversationId` of a message). */
export const answerId =
  (kind: string, field = 'id') =>
  (call: AuditedCall): AuditSubject | undefined => {
    const id = (call.answer as Record<string, unknown> | undefined)?.[field];
    return typeof id === 'string' ? { kind, id } : undefined;
  };

/**
 * What a handler knows better than its route: who acted when nobody is signed in yet (a sign-in),
 * what was made, and facts. Set fields win over the route's.
 */
export class AuditNote {
  actor?: AuditActor;
  subject?: AuditSubject | null;
  readonly details: Record<string, AuditFact> = {};
  private skipped = false;

  /** The call did nothing worth an entry (signing out a device that was not signed in). */
  skip(): void {
    this.skipped = true;
  }

  get isSkipped(): boolean {
    return this.skipped;
  }
}

const NOTE = Symbol('parley:audit-note');

export function auditNoteOf(request: object): AuditNote {
  const holder = request as { [NOTE]?: AuditNote };
  holder[NOTE] ??= new AuditNote();
  return holder[NOTE];
}

/** The request's `AuditNote`, for a handler of an `@Audited` route. */
export const Audit = createParamDecorator((_: unknown, ctx: ExecutionContext): AuditNote =>
  auditNoteOf(ctx.switchToHttp().getRequest<object>()),
);

/** The actor a principal is: an agent signed in as admin acts as the admin. */
export function actorOf(principal: Principal): AuditActor {
  return { kind: principal.role, id: principal.id };
}
