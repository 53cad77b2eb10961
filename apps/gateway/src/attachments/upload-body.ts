import { applyDecorators, HttpException, HttpStatus } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { Role } from '@parley/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { Allow, GuardedRoute } from '../auth/auth';

/** A route that takes a file as its raw body: its Fastify config says so. */
interface UploadRoute extends GuardedRoute {
  upload?: true;
}

/** How upload bodies travel to their handler: as the stream they are, read by the handler alone. */
const UPLOAD_TYPE = 'application/octet-stream';

/**
 * The roles allowed on a route that takes a file as its body, of any Content-Type and up to the
 * attachment limit, streamed to the handler (`uploadOf`) instead of parsed: see `acceptUploads`.
 */
export const AllowUpload = (...roles: Role[]) =>
  applyDecorators(Allow(...roles), RouteConfig({ roles, upload: true } satisfies UploadRoute));

export function isUploadRoute(request: FastifyRequest): boolean {
  return (request.routeOptions.config as UploadRoute).upload === true;
}

/**
 * Upload routes take any Content-Type (the type is sniffed from the bytes; the declared one means
 * nothing): the body goes on as `application/octet-stream`, whose parser hands upload routes the
 * stream itself and refuses it (415) elsewhere. Call from a `preParsing` hook, after authentication.
 */
export function acceptUploads(fastify: FastifyInstance): void {
  fastify.addContentTypeParser(UPLOAD_TYPE, (request, payload, done) => {
    if (isUploadRoute(request)) return done(null, payload);
    done(
      new HttpException(
        `Content-Type ${UPLOAD_TYPE} is not accepted here.`,
        HttpStatus.UNSUPPORTED_MEDIA_TYPE,
      ),
      undefined,
    );
  });
}

/** Makes an upload route's body reach the parser of `acceptUploads`, whatever type was declared. */
export function asUpload(request: FastifyRequest): void {
  request.raw.headers['content-type'] = UPLOAD_TYPE;
}

/** The body of an upload route, unread. */
export function uploadOf(request: FastifyRequest): Readable | undefined {
  const body = request.body as Readable | undefined;
  return body && typeof body.pipe === 'function' ? body : undefined;
}
