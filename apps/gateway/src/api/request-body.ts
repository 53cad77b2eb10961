import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { Transform } from 'node:stream';
import { acceptUploads, asUpload, isUploadRoute } from '../attachments/upload-body';
import { authenticate, GuardedRoute, TokenService } from '../auth/auth';

/**
 * When the gateway answers before it has read a request's body (401, 413, 400), it goes on reading
 * and discarding the rest, so that a client still sending reads the answer instead of a reset
 * connection (EPIPE). At most this much, for at most this long: then the connection is cut.
 */
export const DRAIN_AT_MOST_BYTES = 4 * 1024 * 1024;
export const DRAIN_AT_MOST_MS = 10_000;

function carriesBody(request: FastifyRequest): boolean {
  const { 'content-length': length, 'transfer-encoding': encoding } = request.headers;
  return encoding !== undefined || Number(length ?? 0) > 0;
}

/** Passes the bytes on unchanged, and fails with 400 when they are not UTF-8, as JSON must be. */
function utf8Check(): Transform {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const notUtf8 = () => Object.assign(new Error('The request body is not valid UTF-8.'), { statusCode: 400 });
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      try {
        decoder.decode(chunk, { stream: true });
      } catch {
        return callback(notUtf8());
      }
      callback(null, chunk);
    },
    flush(callback) {
      try {
        decoder.decode();
      } catch {
        return callback(notUtf8());
      }
      callback();
    },
  });
}

/** Reads and discards what is left of a request's body, within the bounds above. */
function drain(request: IncomingMessage): void {
  let drained = 0;
  const cut = () => request.socket.destroy();
  const timer = setTimeout(cut, DRAIN_AT_MOST_MS);
  for (const done of ['end', 'close']) request.once(done, () => clearTimeout(timer));
  request.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > DRAIN_AT_MOST_BYTES) cut();
  });
  // Still piped into the UTF-8 check, which nobody reads now: it would hold the rest back.
  request.unpipe();
  request.resume();
}

/**
 * How the gateway reads request bodies: a guarded route's caller is authenticated first, so that a
 * stranger cannot make it parse anything (a megabyte of nested arrays holds the event loop for over
 * a second); the bytes must be UTF-8, since decoding would replace the others with U+FFFD and store
 * text that was never sent; and a body left unread after the answer is drained before the
 * connection may close. The size limit is Fastify's `bodyLimit`. A file upload's body is neither
 * UTF-8 nor parsed: its handler streams it, under the attachment limit (attachments/upload-body.ts).
 */
export function readBodiesSafely(fastify: FastifyInstance, tokens: TokenService): void {
  acceptUploads(fastify);
  fastify.addHook('preParsing', async (request, _reply, payload) => {
    if (!carriesBody(request)) return payload;
    if ((request.routeOptions.config as GuardedRoute).roles)
      authenticate(tokens, request.headers.authorization);
    if (isUploadRoute(request)) {
      asUpload(request);
      return payload;
    }
    const checked = utf8Check();
    payload.on('error', (error) => checked.destroy(error));
    return payload.pipe(checked);
  });
  fastify.addHook('onSend', async (request, reply, payload) => {
    if (!request.raw.complete) {
      // Fastify asks to close after a body it refused; the connection stays open, and usable,
      // while the rest of the body is drained instead.
      reply.removeHeader('connection');
      drain(request.raw);
    }
    return payload;
  });
}
