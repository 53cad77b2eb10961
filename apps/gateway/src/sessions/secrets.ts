import { createHash, createHmac } from 'node:crypto';

/** What a single-use secret (an invite, a refresh token) is stored and sent as. */
export function secretHash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/**
 * The secret of the invite `inviteId` names (the agent's id when they are registered, the reset's
 * when their password is reset). Derived, not drawn, so that a retried request (the same
 * Idempotency-Key, so the same id) answers the same invite that conversation stored with the
 * first; only its hash is ever sent or stored.
 */
export function inviteSecret(jwtSecret: string, inviteId: string): string {
  return createHmac('sha256', jwtSecret).update(`invite:${inviteId}`).digest('base64url');
}
