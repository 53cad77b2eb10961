import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { MsgHdrs } from '@nats-io/nats-core';
import { contentDeclarationsOf, ContentScopeKind } from '@parley/contracts';
import { ContentKeyStore, ContentScope } from './content-keys';
import { UndecodablePayload } from './payload';

/**
 * Set on every message whose payload has sealed content fields: only those are opened, so a
 * message from before sealing, or one without content, is read as it is.
 */
export const SEALED_CONTENT_HEADER = 'Parley-Sealed-Content';
const SEALED_V1 = '1';

/**
 * A sealed field's value, AES-256-GCM under its scope's data key of that generation; the field's
 * path, scope and generation are authenticated with it, so it cannot be moved to another field or
 * scope:
 *
 *   content.v1.<kind>.<scope id token>.<generation>.<iv>.<ciphertext>.<tag>   (base64url parts)
 */
const PREFIX = 'content.v1.';
const IV_BYTES = 12;

/**
 * A message's content was sealed under a key that was destroyed: what it carried is erased. The
 * transport acks such a message without handing it to a handler.
 */
export class ContentKeyDestroyed extends Error {
  override readonly name = 'ContentKeyDestroyed';
  constructor(readonly scope: ContentScope) {
    super(`the content key of ${scope.kind} ${scope.id} was destroyed: the message's content is erased`);
  }
}

/** A payload ready to publish, and whether any of its fields were sealed (`SEALED_CONTENT_HEADER`). */
export interface SealedPayload {
  payload: unknown;
  sealed: boolean;
}

/** One token of an id: one with characters beyond [-_A-Za-z0-9] is base64url-encoded behind `=`. */
function idToken(id: string): string {
  return /^[-_A-Za-z0-9]+$/.test(id) ? id : `=${Buffer.from(id).toString('base64url')}`;
}

function idOfToken(token: string): string {
  return token.startsWith('=') ? Buffer.from(token.slice(1), 'base64url').toString('utf8') : token;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Where a path's values are, each as its holder and key (none when absent or null). With `copy`,
 * every object and array on the way is replaced by a copy first, so the caller's stays as it was.
 */
function locate(
  holder: Record<string, unknown>,
  [step, ...rest]: string[],
  copy: boolean,
): Array<[Record<string, unknown>, string]> {
  const value = holder[step];
  if (!rest.length) return value === undefined || value === null ? [] : [[holder, step]];
  if (rest[0] === '*') {
    if (!Array.isArray(value)) return [];
    const elements = copy ? value.map((element) => (isRecord(element) ? { ...element } : element)) : value;
    if (copy) holder[step] = elements;
    const after = rest.slice(1);
    return after.length ? elements.filter(isRecord).flatMap((element) => locate(element, after, copy)) : [];
  }
  if (!isRecord(value)) return [];
  const child = copy ? { ...value } : value;
  if (copy) holder[step] = child;
  return locate(child, rest, copy);
}

/**
 * Seals the content fields of what is published (`contentDeclarationsOf`, from the contracts'
 * `@Content` marks) and opens them in what is consumed, under the keys of `ContentKeyStore`.
 */
export class ContentSeal {
  /** `sealing` false: publish content as it is (only while upgrading from a release that cannot open it). */
  constructor(
    private readonly keys: ContentKeyStore,
    private readonly sealing = true,
  ) {}

  /**
   * A copy of `payload` with each content field sealed under its scope's current key (the payload
   * itself when it has none). Throws `ContentErased` when that scope was erased.
   */
  async seal(subject: string, payload: unknown): Promise<SealedPayload> {
    if (!this.sealing || !isRecord(payload)) return { payload, sealed: false };
    const declarations = contentDeclarationsOf(subject, payload);
    if (!declarations.length) return { payload, sealed: false };
    const copy = { ...payload };
    let sealed = false;
    for (const { kind, scopeIdOf, paths } of declarations) {
      const id = scopeIdOf(payload);
      if (typeof id !== 'string' || !id) continue;
      const scope: ContentScope = { kind, id };
      for (const path of paths) {
        const places = locate(copy, path.split('.'), true);
        if (!places.length) continue;
        const { generation, key } = await this.keys.sealingKey(scope);
        for (const [holder, field] of places)
          holder[field] = sealValue(JSON.stringify(holder[field]), key, scope, generation, path);
        sealed = true;
      }
    }
    return sealed ? { payload: copy, sealed } : { payload, sealed: false };
  }

  /**
   * Opens, in place, each sealed content field of a payload parsed from a message with
   * `SEALED_CONTENT_HEADER`. Throws `ContentKeyDestroyed` when a field's key is gone, and
   * `UndecodablePayload` when a field was altered.
   */
  async open(subject: string, plain: unknown, headers: MsgHdrs | undefined): Promise<unknown> {
    if (headers?.get(SEALED_CONTENT_HEADER) !== SEALED_V1 || !isRecord(plain)) return plain;
    // A field may be declared under two scopes, one of which seals it: it is opened once.
    const paths = new Set(contentDeclarationsOf(subject, plain).flatMap((d) => d.paths));
    for (const path of paths) {
      for (const [holder, field] of locate(plain, path.split('.'), false)) {
        const value = holder[field];
        if (typeof value === 'string' && value.startsWith(PREFIX))
          holder[field] = await this.openValue(value, path, subject);
      }
    }
    return plain;
  }

  private async openValue(sealed: string, path: string, subject: string): Promise<unknown> {
    const parts = sealed.slice(PREFIX.length).split('.');
    const [kind, token, generation, iv, ciphertext, tag] = parts;
    if (parts.length !== 6 || (kind !== 'customer' && kind !== 'conversation') || !/^\d+$/.test(generation))
      throw new UndecodablePayload(`${path} of ${subject} is not sealed content`);
    const scope: ContentScope = { kind: kind as ContentScopeKind, id: idOfToken(token) };
    const key = await this.keys.openingKey(scope, Number(generation));
    if (!key) throw new ContentKeyDestroyed(scope);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(associatedData(scope, Number(generation), path));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      const text = Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]);
      return JSON.parse(text.toString('utf8'));
    } catch {
      throw new UndecodablePayload(`${path} of ${subject} was altered or moved: it does not open`);
    }
  }
}

function associatedData(scope: ContentScope, generation: number, path: string): Buffer {
  return Buffer.from(`${scope.kind}\u0000${scope.id}\u0000${generation}\u0000${path}`);
}

function sealValue(json: string, key: Buffer, scope: ContentScope, generation: number, path: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(associatedData(scope, generation, path));
  const ciphertext = Buffer.concat([cipher.update(json, 'utf8'), cipher.final()]);
  return `${PREFIX}${scope.kind}.${idToken(scope.id)}.${generation}.${[iv, ciphertext, cipher.getAuthTag()]
    .map((part) => part.toString('base64url'))
    .join('.')}`;
}
