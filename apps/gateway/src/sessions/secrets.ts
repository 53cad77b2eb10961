import { createHash, createHmac } from 'node:crypto';

/** What a single-use secret (an invite, a refresh token) is stored and sent as. */
export function secretHash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/**
 * The secret of the invite that comes with registering `agentId`. Derived, not drawn, so that a
 * retried registration (the same Idempotency-Key, so the same agent id) answers the same invite
 * that conversation stored with the first; only its hash is ever sent or stored.
 */
export function inviteSecret(jwtSecret: string, agentId: string): string {
  return createHmac('sha256', jwtSecret).update(`invite:${agentId}`).digest('base64url');
}
