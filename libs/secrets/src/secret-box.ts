import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Secrets Parley must use again later (webhook signing secrets, identity-verification secrets) are
 * kept sealed: AES-256-GCM under a key of the key ring named by `PARLEY_SECRET_KEY`. A sealed value
 * names its key, so a new key can be put first while values sealed under the old one still open;
 * re-sealing them lets the old key go.
 *
 *   sealed := "sealed.v1." kid "." base64url(iv) "." base64url(ciphertext) "." base64url(tag)
 *
 * The key id is authenticated with the ciphertext (additional data), so a value cannot be moved
 * under another key's name; so is the `context` a caller seals in (a content data key's scope and
 * generation), so a value cannot be moved to another context either.
 */
const PREFIX = 'sealed.v1.';
const IV_BYTES = 12;
const KEY_BYTES = 32;
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/** `PARLEY_SECRET_KEY`'s form: `kid:base64key[,kid:base64key…]`, the first key sealing. */
export const SECRET_KEY_RING_FORMAT =
  'comma-separated <key id>:<32 bytes in base64> entries, the first one sealing (e.g. `k1:' +
  '$(openssl rand -base64 32)`)';

/** Why a key ring cannot be used, without repeating any key material; undefined when it can. */
export function keyRingProblem(spec: string): string | undefined {
  const entries = spec.split(',');
  const ids = new Set<string>();
  for (const [index, entry] of entries.entries()) {
    const colon = entry.indexOf(':');
    const kid = colon < 0 ? '' : entry.slice(0, colon).trim();
    if (!KEY_ID.test(kid)) return `entry ${index + 1} has no key id of 1-32 [A-Za-z0-9_-] before a colon`;
    if (ids.has(kid)) return `key id ${kid} appears twice`;
    ids.add(kid);
    const key = Buffer.from(entry.slice(colon + 1).trim(), 'base64');
    if (key.length !== KEY_BYTES) return `key ${kid} is ${key.length} bytes, not ${KEY_BYTES}`;
  }
  return undefined;
}

/** The additional data a value is sealed with: its key id, and the caller's context when it gives one. */
function associatedData(kid: string, context?: string): Buffer {
  return Buffer.from(context === undefined ? kid : `${kid}\u0000${context}`);
}

export class SecretBox {
  private constructor(
    private readonly sealingKid: string,
    private readonly keys: ReadonlyMap<string, Buffer>,
    private readonly variable: string,
  ) {}

  /**
   * The box for a key ring in `PARLEY_SECRET_KEY`'s form (or `variable`'s, named in errors: the
   * content key ring `PARLEY_CONTENT_KEY` has the same form); throws without quoting key material.
   */
  static fromKeyRing(spec: string, variable = 'PARLEY_SECRET_KEY'): SecretBox {
    const keys = SecretBox.keysOf(spec, variable);
    return new SecretBox(keys.keys().next().value as string, keys, variable);
  }

  /** The keys of a ring by key id, the sealing one first; throws without quoting key material. */
  static keysOf(spec: string, variable = 'PARLEY_SECRET_KEY'): Map<string, Buffer> {
    const problem = keyRingProblem(spec);
    if (problem) throw new Error(`${variable}: ${problem}; expected ${SECRET_KEY_RING_FORMAT}`);
    const keys = new Map<string, Buffer>();
    for (const entry of spec.split(',')) {
      const colon = entry.indexOf(':');
      keys.set(entry.slice(0, colon).trim(), Buffer.from(entry.slice(colon + 1).trim(), 'base64'));
    }
    return keys;
  }

  /** The key id that seals new values. */
  get currentKeyId(): string {
    return this.sealingKid;
  }

  /** `plain` sealed under the ring's first key; `context` must be given again to open it. */
  seal(plain: string, context?: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.sealingKid) as Buffer, iv);
    cipher.setAAD(associatedData(this.sealingKid, context));
    const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [PREFIX + this.sealingKid, iv, ciphertext, cipher.getAuthTag()]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  /**
   * The plain secret; throws when the value is not sealed, names an unknown key, was altered or
   * was sealed with another `context`.
   */
  open(sealed: string, context?: string): string {
    if (!isSealed(sealed)) throw new Error('not a sealed secret');
    const [kid, iv, ciphertext, tag] = sealed.slice(PREFIX.length).split('.');
    const key = this.keys.get(kid);
    if (!key) throw new Error(`sealed under key ${kid}, which ${this.variable} does not hold`);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(associatedData(kid, context));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  }

  /** The key id a sealed value names, to find values still sealed under a retired key. */
  static keyIdOf(sealed: string): string | undefined {
    return isSealed(sealed) ? sealed.slice(PREFIX.length).split('.')[0] : undefined;
  }
}

export function isSealed(value: string): boolean {
  return value.startsWith(PREFIX) && value.slice(PREFIX.length).split('.').length === 4;
}
