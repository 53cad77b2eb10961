import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { SecretBox } from './secret-box';

/**
 * Capabilities handed to people outside any session: a link in an email that rates a conversation
 * or unsubscribes, or the reply address a customer answers to. Each is an HMAC-SHA256 over a purpose
 * and a payload, under a key derived (HKDF) from each key of `PARLEY_SECRET_KEY`, so no new secret is
 * configured and rotating the key ring rotates these too: values made under any key of the ring
 * verify, new ones are made under the first.
 *
 *   token := base64url(JSON payload) "." kid "." base64url(mac)
 *
 * The purpose is inside the MAC, so a token made for one purpose never verifies for another.
 */
export class LinkSigner {
  private constructor(
    private readonly sealingKid: string,
    private readonly keys: ReadonlyMap<string, Buffer>,
  ) {}

  static fromKeyRing(spec: string): LinkSigner {
    const keys = new Map<string, Buffer>();
    for (const [kid, key] of SecretBox.keysOf(spec)) {
      keys.set(kid, Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'parley link signer v1', 32)));
    }
    return new LinkSigner(keys.keys().next().value as string, keys);
  }

  /** A token carrying `payload` for `purpose`, refused after `expiresAt` when one is given. */
  sign(purpose: string, payload: Record<string, unknown>, expiresAt?: Date): string {
    const body = Buffer.from(
      JSON.stringify(expiresAt ? { ...payload, exp: Math.floor(expiresAt.getTime() / 1000) } : payload),
    ).toString('base64url');
    return `${body}.${this.sealingKid}.${this.mac(this.sealingKid, purpose, body).toString('base64url')}`;
  }

  /** The payload of a token made for `purpose`; throws when it is altered, foreign or expired. */
  verify<T extends Record<string, unknown>>(purpose: string, token: string, now = new Date()): T {
    const [body, kid, mac, extra] = token.split('.');
    if (extra !== undefined || !body || !mac || !this.keys.has(kid)) throw new InvalidLink();
    if (!equal(this.mac(kid, purpose, body), Buffer.from(mac, 'base64url'))) throw new InvalidLink();
    let payload: unknown;
    try {
      payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      throw new InvalidLink();
    }
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new InvalidLink();
    const exp = (payload as { exp?: unknown }).exp;
    if (exp !== undefined && (typeof exp !== 'number' || exp * 1000 <= now.getTime()))
      throw new InvalidLink('expired');
    return payload as T;
  }

  /**
   * A short tag of `value` for `purpose`, for places as tight as an address's local part (64
   * characters): lowercase hex, which survives case-folding mail systems. It names no key, so
   * `verifyTag` tries each key of the ring.
   */
  tag(purpose: string, value: string, hexDigits = 24): string {
    return this.mac(this.sealingKid, purpose, value).toString('hex').slice(0, hexDigits);
  }

  verifyTag(purpose: string, value: string, tag: string): boolean {
    const given = Buffer.from(tag.toLowerCase(), 'utf8');
    for (const kid of this.keys.keys()) {
      const expected = Buffer.from(
        this.mac(kid, purpose, value).toString('hex').slice(0, tag.length),
        'utf8',
      );
      if (tag.length >= 16 && equal(expected, given)) return true;
    }
    return false;
  }

  private mac(kid: string, purpose: string, body: string): Buffer {
    return createHmac('sha256', this.keys.get(kid) as Buffer)
      .update(purpose)
      .update('\n')
      .update(body)
      .digest();
  }
}

export class InvalidLink extends Error {
  constructor(reason = 'altered, foreign or unknown') {
    super(`invalid link: ${reason}`);
  }
}

function equal(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
