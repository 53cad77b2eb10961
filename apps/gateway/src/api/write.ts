import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '@parley/contracts';
import { IdAllocator, idempotencyKey } from './ids';

const IDEMPOTENT = 'parley:idempotent';

/**
 * The write reads the `Idempotency-Key` header (and documents it): a retry gets the same ids.
 * Written last, right above the handler: decorators apply from the bottom up, and the document
 * lists this header before `Prefer`'s.
 */
export const Idempotent = (): MethodDecorator =>
  applyDecorators(
    SetMetadata(IDEMPOTENT, true),
    ApiHeader({
      name: 'idempotency-key',
      required: false,
      example: 'reply-1234-2026-11-25',
      description:
        'A retry with the same key (1 to 255 visible ASCII characters) from the same caller returns the same ids and creates nothing new',
    }),
  );

/** A write request as its endpoint needs it: who writes, the ids it creates, and how to answer. */
export class Write {
  private ids?: IdAllocator;

  constructor(
    readonly principal: Principal,
    /** `POST /v1/conversations/<id>/messages`: the scope of its Idempotency-Key. */
    readonly route: string,
    private readonly key: string | string[] | undefined,
    readonly prefer: string | undefined,
    readonly reply: FastifyReply,
  ) {}

  /**
   * The next id this write creates: derived from its Idempotency-Key on an `@Idempotent` route,
   * else fresh. The key is read only now, so a write refused earlier (404) is refused for that.
   */
  allocate(): string {
    this.ids ??= new IdAllocator(this.principal, this.route, idempotencyKey(this.key));
    return this.ids.allocate();
  }

  /** An id derived from this route and `key`: the same for every request that names the same thing. */
  idFor(key: string): string {
    return new IdAllocator(this.principal, this.route, key).allocate();
  }
}

/**
 * The current request as a `Write`. Its route is the one the handler is registered on, with the
 * request's path parameters filled in, so no endpoint spells it out.
 */
export const CurrentWrite = createParamDecorator((_: unknown, ctx: ExecutionContext): Write => {
  const http = ctx.switchToHttp();
  const request = http.getRequest<FastifyRequest & { principal: Principal }>();
  const params = request.params as Record<string, string>;
  const path = (request.routeOptions.url ?? '').replace(/:(\w+)/g, (_, name: string) => params[name]);
  const idempotent = Reflect.getMetadata(IDEMPOTENT, ctx.getHandler()) === true;
  return new Write(
    request.principal,
    `${request.method} ${path}`,
    idempotent ? request.headers['idempotency-key'] : undefined,
    // Node joins a repeated Prefer header into one line, as RFC 7240 reads it.
    request.headers.prefer as string | undefined,
    http.getResponse<FastifyReply>(),
  );
});
