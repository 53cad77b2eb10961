import { CallHandler, ExecutionContext, HttpException, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AuditActor, Principal } from '@parley/contracts';
import { catchError, from, mergeMap, Observable } from 'rxjs';
import { actorOf, AUDITED, AuditedCall, AuditedRoute, auditNoteOf } from './audited';
import { AuditRecorder } from './audit-recorder';

/** Nobody could be named: a sign-in with an email no agent has. */
const UNKNOWN: AuditActor = { kind: 'agent', id: null };

const refusal = (error: unknown) =>
  error instanceof HttpException && (error.getStatus() === 401 || error.getStatus() === 403);

/**
 * Records each call of an `@Audited` route once it succeeded, before its answer is sent (a 503
 * instead when the entry cannot be stored), and its refusals when the route asks for them.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly recorder: AuditRecorder,
  ) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const route = this.reflector.get<AuditedRoute | undefined>(AUDITED, ctx.getHandler());
    if (!route) return next.handle();
    const request = ctx.switchToHttp().getRequest<{
      params?: Record<string, string>;
      query?: Record<string, unknown>;
      body?: unknown;
      principal?: Principal;
    }>();
    const principal = request.principal;
    if (route.by && !(principal && route.by.includes(principal.role))) return next.handle();
    const call = (answer: unknown): AuditedCall => ({
      params: request.params ?? {},
      query: request.query ?? {},
      body: request.body,
      principal,
      answer,
    });
    return next.handle().pipe(
      mergeMap((answer) => from(this.record(route.action, route, call(answer), request).then(() => answer))),
      catchError(async (error: unknown) => {
        if (route.refused && refusal(error))
          await this.record(route.refused, route, call(undefined), request);
        throw error;
      }),
    );
  }

  private record(action: string, route: AuditedRoute, call: AuditedCall, request: object): Promise<void> {
    const note = auditNoteOf(request);
    if (note.isSkipped) return Promise.resolve();
    const subject = note.subject !== undefined ? note.subject : (route.subject?.(call) ?? null);
    return this.recorder.record(
      {
        action,
        actor: note.actor ?? (call.principal ? actorOf(call.principal) : UNKNOWN),
        subject,
        details: { ...route.details?.(call), ...note.details },
      },
      { collapseRepeats: route.collapseRepeats },
    );
  }
}
