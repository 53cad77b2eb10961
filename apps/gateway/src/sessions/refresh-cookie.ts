import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const REFRESH_COOKIE = 'parley_refresh';
/** Sent only to the session endpoints, never with the API's other requests. */
const COOKIE_PATH = '/v1/sessions';
const COOKIE_MAX_AGE_SECONDS = 30 * 24 * 3600;

/** A session's refresh token: which session, and the secret whose hash the session holds. */
export interface RefreshToken {
  sessionId: string;
  secret: string;
}

export function newSessionId(): string {
  return randomBytes(16).toString('base64url');
}

export function newRefreshSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function refreshTokenOf(request: FastifyRequest): RefreshToken | undefined {
  const match = /^([A-Za-z0-9_-]{1,64})\.([A-Za-z0-9_-]{1,100})$/.exec(request.cookies[REFRESH_COOKIE] ?? '');
  return match ? { sessionId: match[1], secret: match[2] } : undefined;
}

/** httpOnly (no script reads it) and SameSite=Strict (no other site's page sends it). */
export function setRefreshCookie(request: FastifyRequest, reply: FastifyReply, token: RefreshToken): void {
  void reply.setCookie(REFRESH_COOKIE, `${token.sessionId}.${token.secret}`, {
    httpOnly: true,
    sameSite: 'strict',
    secure: request.protocol === 'https',
    path: COOKIE_PATH,
    maxAge: COOKIE_MAX_AGE_SECONDS,
  });
}

export function clearRefreshCookie(reply: FastifyReply): void {
  void reply.clearCookie(REFRESH_COOKIE, { path: COOKIE_PATH });
}
