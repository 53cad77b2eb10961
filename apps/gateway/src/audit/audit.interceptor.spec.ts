import { CallHandler, ExecutionContext, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Principal } from '@parley/contracts';
import { BrokerUnavailable, JetStreamPublisher } from '@parley/jetstream';
import { lastValueFrom, Observable, of, throwError } from 'rxjs';
import { answerId, Audited, auditNoteOf, pathId, READ_BY_STAFF } from './audited';
import { AuditInterceptor } from './audit.interceptor';
import { AuditRecord, AuditRecorder } from './audit-recorder';

class Routes {
  @Audited('conversation.read', pathId('conversation'), READ_BY_STAFF)
  read() {
    return 'read';
  }

  @Audited('agent.invite', answerId('agent'), {
    details: ({ body }) => ({ role: (body as { role: string }).role }),
  })
  invite() {
    return 'invite';
  }

  @Audited('session.sign-in', undefined, { refused: 'session.sign-in-refused' })
  signIn() {
    return 'signIn';
  }

  unaudited() {
    return 'unaudited';
  }
}

const agent: Principal = { id: 'agent-1', role: 'agent' };

function setUp() {
  const published: Array<{
    subject: string;
    payload: AuditRecord & { id: string; at: string };
    msgId: string;
  }> = [];
  let failing = false;
  const publisher = {
    publish: async (subject: string, payload: never, msgId: string) => {
      if (failing) throw new BrokerUnavailable('away');
      published.push({ subject, payload, msgId });
      return { seq: published.length, duplicate: false, stream: 'PARLEY_COMMANDS' };
    },
  } as unknown as JetStreamPublisher;
  const interceptor = new AuditInterceptor(new Reflector(), new AuditRecorder(publisher));
  const call = (
    handler: keyof Routes,
    request: { principal?: Principal; params?: Record<string, string>; body?: unknown },
    outcome: () => Observable<unknown>,
  ) => {
    const ctx = {
      getHandler: () => Routes.prototype[handler],
      switchToHttp: () => ({ getRequest: () => request }),
    } as unknown as ExecutionContext;
    return lastValueFrom(interceptor.intercept(ctx, { handle: outcome } satisfies CallHandler));
  };
  return { published, call, fail: () => (failing = true) };
}

describe('AuditInterceptor', () => {
  it('records a call before answering it: the caller, the subject and the details the route names', async () => {
    const { published, call } = setUp();
    const answer = await call(
      'invite',
      { principal: { id: 'admin', role: 'admin' }, body: { role: 'admin' } },
      () => of({ id: 'agent-9', inviteToken: 'secret' }),
    );
    expect(answer).toEqual({ id: 'agent-9', inviteToken: 'secret' });
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({
      subject: 'parley.cmd.history.audit.record',
      payload: {
        actor: { kind: 'admin', id: 'admin' },
        action: 'agent.invite',
        subject: { kind: 'agent', id: 'agent-9' },
        details: { role: 'admin' },
      },
    });
    expect(published[0].msgId).toBe(published[0].payload.id);
    expect(JSON.stringify(published)).not.toContain('secret');
  });

  it('answers with the failure to store the entry instead of answering unaudited', async () => {
    const { call, fail } = setUp();
    fail();
    await expect(
      call('read', { principal: agent, params: { id: 'c-1' } }, () => of({ id: 'c-1' })),
    ).rejects.toThrow(BrokerUnavailable);
  });

  it('records reads by agents once a window, and not customers’ reads', async () => {
    const { published, call } = setUp();
    for (let i = 0; i < 3; i++) await call('read', { principal: agent, params: { id: 'c-1' } }, () => of({}));
    await call('read', { principal: agent, params: { id: 'c-2' } }, () => of({}));
    await call('read', { principal: { id: 'cust-1', role: 'customer' }, params: { id: 'c-1' } }, () =>
      of({}),
    );
    expect(published.map((p) => [p.payload.actor.id, p.payload.subject?.id])).toEqual([
      ['agent-1', 'c-1'],
      ['agent-1', 'c-2'],
    ]);
  });

  it('records a refused sign-in with what the handler noted, and rethrows the refusal', async () => {
    const { published, call } = setUp();
    const request = {};
    const refusal = () => {
      const note = auditNoteOf(request);
      note.actor = { kind: 'agent', id: 'agent-1' };
      note.details.reason = 'wrong-password';
      return throwError(() => new UnauthorizedException());
    };
    await expect(call('signIn', request, refusal)).rejects.toThrow(UnauthorizedException);
    expect(published.map((p) => p.payload)).toEqual([
      expect.objectContaining({
        action: 'session.sign-in-refused',
        actor: { kind: 'agent', id: 'agent-1' },
        subject: null,
        details: { reason: 'wrong-password' },
      }),
    ]);
  });

  it('records nothing for a route that is not audited, or a call the handler skipped', async () => {
    const { published, call } = setUp();
    await call('unaudited', { principal: agent }, () => of({}));
    const request = { principal: agent };
    await call('signIn', request, () => {
      auditNoteOf(request).skip();
      return of(undefined);
    });
    expect(published).toEqual([]);
  });
});
