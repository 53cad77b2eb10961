import { Controller, ExecutionContext, Post } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import type { FastifyReply } from 'fastify';
import { IdAllocator } from './ids';
import { CurrentWrite, Idempotent, Write } from './write';

const agent = { id: 'ag-1', role: 'agent' as const };

@Controller('v1/conversations')
class Endpoints {
  @Post(':id/messages')
  @Idempotent()
  post(@CurrentWrite() write: Write): Write {
    return write;
  }

  @Post(':id/read')
  read(@CurrentWrite() write: Write): Write {
    return write;
  }
}

/** The Write `@CurrentWrite()` makes of a request to `handler`, registered at `url`. */
function writeOf(
  handler: keyof Endpoints,
  url: string,
  params: Record<string, string>,
  headers: Record<string, string>,
): Write {
  const args = Reflect.getMetadata(ROUTE_ARGS_METADATA, Endpoints, handler) as Record<
    string,
    { factory: (data: unknown, ctx: ExecutionContext) => Write }
  >;
  const { factory } = Object.values(args)[0];
  const request = { principal: agent, method: 'POST', routeOptions: { url }, params, headers };
  const ctx = {
    getHandler: () => Endpoints.prototype[handler],
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => ({}) as FastifyReply }),
  } as unknown as ExecutionContext;
  return factory(undefined, ctx);
}

describe('CurrentWrite', () => {
  it('scopes an Idempotency-Key to the route the handler is registered on, its parameters filled in', () => {
    const write = writeOf(
      'post',
      '/v1/conversations/:id/messages',
      { id: 'c-1' },
      { 'idempotency-key': 'k1', prefer: 'wait=5' },
    );
    expect(write.route).toBe('POST /v1/conversations/c-1/messages');
    expect(write.prefer).toBe('wait=5');
    const expected = new IdAllocator(agent, 'POST /v1/conversations/c-1/messages', 'k1');
    expect([write.allocate(), write.allocate()]).toEqual([expected.allocate(), expected.allocate()]);
  });

  it('reads no Idempotency-Key on a route that does not take one', () => {
    const headers = { 'idempotency-key': 'k1' };
    const first = writeOf('read', '/v1/conversations/:id/read', { id: 'c-1' }, headers);
    const second = writeOf('read', '/v1/conversations/:id/read', { id: 'c-1' }, headers);
    expect(first.allocate()).not.toBe(second.allocate());
  });

  it('refuses a malformed key only when an id is asked for', () => {
    const write = writeOf(
      'post',
      '/v1/conversations/:id/messages',
      { id: 'c-1' },
      { 'idempotency-key': ' ' },
    );
    expect(write.route).toBe('POST /v1/conversations/c-1/messages');
    expect(() => write.allocate()).toThrow('Idempotency-Key must be 1 to 255 visible ASCII characters.');
  });
});
