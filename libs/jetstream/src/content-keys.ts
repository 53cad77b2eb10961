import { randomBytes } from 'node:crypto';
import {
  DiscardPolicy,
  jetstream,
  JetStreamApiCodes,
  JetStreamApiError,
  JetStreamClient,
  JetStreamManager,
  RetentionPolicy,
  StorageType,
  StreamConfig,
} from '@nats-io/jetstream';
import type { NatsConnection, Subscription } from '@nats-io/nats-core';

/** Whose content a data key seals: a customer's profile, or everything said in a conversation. */
export interface ContentScope {
  kind: 'customer' | 'conversation';
  id: string;
}

/**
 * Destroys content data keys. Every stream copy of a scope's content is sealed under the scope's
 * key (ADR 13), so destroying the key erases those copies wherever they are kept.
 */
export abstract class ContentKeys {
  /** Destroys each scope's key for good; idempotent; content sealed under it can never be opened again. */
  abstract destroy(scopes: ContentScope[]): Promise<void>;
}

/**
 * Content was asked to be sealed under a conversation's key after that key was destroyed: the
 * conversation was erased, and nothing may be said in it any more. The gateway answers 410.
 */
export class ContentErased extends Error {
  override readonly name = 'ContentErased';
  constructor(readonly scope: ContentScope) {
    super(`the ${scope.kind} ${scope.id} was erased; its content can no longer be kept`);
  }
}

/**
 * What data keys are sealed under: the content key ring (`SecretBox.fromKeyRing(PARLEY_CONTENT_KEY)`,
 * libs/secrets), binding each sealed key to its `context` (scope and generation).
 */
export interface ContentKeyRing {
  seal(plain: string, context: string): string;
  open(sealed: string, context: string): string;
}

/** A scope's current data key; `generation` tells it from the keys the scope had before. */
export interface DataKey {
  generation: number;
  key: Buffer;
}

export interface ContentKeyBucketOptions {
  /** The bucket's name (`CONTENT_KEYS_BUCKET`); its stream is `KV_<bucket>`. */
  bucket: string;
  replicas?: number;
}

/**
 * A scope's entry, the last message on its subject: a data key sealed under the content key ring,
 * or the tombstone a destroyed key leaves, naming the message the key was in (erased with it).
 */
type Entry =
  | { generation: number; sealedKey: string }
  | { generation: number; destroyed: true; keyMessage: number | null };

interface Known {
  generation: number;
  /** The scope's key; absent when `generation` and every earlier one were destroyed. */
  key?: Buffer;
  /** The sequence of the entry's message, which a write to the subject must expect. */
  seq: number;
  /** When it was read (epoch ms): trusted for `REMEMBER_MS` at most. */
  readAt?: number;
}

/** A read of a scope under way; stale once a write to the scope was seen, and then not remembered. */
interface Reading {
  fetched: Promise<Known>;
  stale: boolean;
}

const DATA_KEY_BYTES = 32;
/**
 * How long a key read is trusted without a word from the bucket: the watch forgets a scope at once
 * when it is written to, and this bounds how long a write the watch missed (a slow consumer's
 * dropped message) leaves a destroyed key usable.
 */
const REMEMBER_MS = 30_000;
/** Scopes whose keys a process remembers: the most recently read, the oldest forgotten first. */
const REMEMBERED_SCOPES = 20_000;
/** Tombstones a scope keeps (a customer's keys may be destroyed and made again); keys are erased. */
const ENTRIES_PER_SCOPE = 8;

/** One subject token of KV key characters: an id with any other is base64url-encoded behind `=`. */
function idToken(id: string): string {
  return /^[-_a-zA-Z0-9]+$/.test(id) ? id : `=${Buffer.from(id).toString('base64url')}`;
}

function contentKeyStreamConfig({ bucket, replicas = 1 }: ContentKeyBucketOptions): Partial<StreamConfig> & {
  name: string;
} {
  return {
    name: `KV_${bucket}`,
    subjects: [`$KV.${bucket}.>`],
    retention: RetentionPolicy.Limits,
    // A lost data key is content lost: written to disk, replicated like the streams it unlocks.
    storage: StorageType.File,
    max_msgs_per_subject: ENTRIES_PER_SCOPE,
    discard: DiscardPolicy.Old,
    allow_rollup_hdrs: false,
    // Keys are erased message by message (`deleteMessage` with erase), never purged in bulk.
    deny_purge: true,
    num_replicas: replicas,
  };
}

/**
 * Creates the bucket or brings its replicas in line. Laid out as a JetStream key-value bucket, so
 * `nats kv get <bucket> conversation.<id>` shows a scope's entry (a sealed key or a tombstone).
 */
export async function ensureContentKeyBucket(
  jsm: JetStreamManager,
  options: ContentKeyBucketOptions,
): Promise<void> {
  const wanted = contentKeyStreamConfig(options);
  try {
    const { config } = await jsm.streams.info(wanted.name);
    if (config.num_replicas !== wanted.num_replicas)
      await jsm.streams.update(wanted.name, { ...config, ...wanted });
  } catch (error) {
    if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound)) throw error;
    // Two processes starting together both try: the second add finds an identical stream and succeeds.
    await jsm.streams.add(wanted);
  }
}

function isWrongLastSequence(error: unknown): boolean {
  return error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamWrongLastSequence;
}

/** A write lost to other processes this many times in a row: something is wrong with the bucket. */
const MAX_ATTEMPTS = 25;

/**
 * The content data keys of every scope, kept in a JetStream key-value bucket (`ensureContentKeyBucket`)
 * shared by every process of every service:
 * - a key is 32 random bytes, stored sealed under the content key ring (`PARLEY_CONTENT_KEY`) with
 *   its scope and generation as context, so a stored key cannot be moved to another scope;
 * - it is made on first use by a write expecting the scope to have no entry (or the tombstone it
 *   has), so two processes racing agree on one key;
 * - `destroy` writes a tombstone over the key, then erases (overwrites, `deleteMessage` with erase)
 *   the key's message; a scope destroyed once never silently gets the same key back: a customer's
 *   next key has a higher generation, and a conversation gets none (`ContentErased`);
 * - each process remembers keys it read, and forgets a scope as soon as any process writes to it
 *   (a core subscription on the bucket's subjects sees every write) or the connection is re-made.
 */
export class ContentKeyStore extends ContentKeys {
  private readonly js: JetStreamClient;
  private readonly jsm: Promise<JetStreamManager>;
  private readonly stream: string;
  private readonly prefix: string;
  private readonly known = new Map<string, Known>();
  private readonly reading = new Map<string, Reading>();
  private readonly watch: Subscription;

  constructor(
    nc: NatsConnection,
    private readonly keyRing: ContentKeyRing,
    bucket: string,
    timeoutMs = 5_000,
  ) {
    super();
    this.js = jetstream(nc, { timeout: timeoutMs });
    this.jsm = this.js.jetstreamManager(false);
    this.stream = `KV_${bucket}`;
    this.prefix = `$KV.${bucket}.`;
    this.watch = nc.subscribe(`${this.prefix}>`, { callback: (_, msg) => this.forget(msg.subject) });
    void this.forgetAllOnReconnect(nc);
  }

  /** Stops watching the bucket. */
  close(): void {
    this.watch.unsubscribe();
  }

  /** The key new content of `scope` is sealed under, made on first use; `ContentErased` for an erased conversation. */
  async sealingKey(scope: ContentScope): Promise<DataKey> {
    const subject = this.subjectOf(scope);
    for (let attempt = 1; ; attempt++) {
      const known = await this.read(subject, scope);
      if (known.key) return { generation: known.generation, key: known.key };
      if (known.seq > 0 && scope.kind === 'conversation') throw new ContentErased(scope);
      const made = await this.make(subject, scope, known);
      if (made) return made;
      if (attempt === MAX_ATTEMPTS) throw new Error(`could not make a content key for ${subject}`);
    }
  }

  /** The key content sealed under `generation` opens with; undefined once that key was destroyed. */
  async openingKey(scope: ContentScope, generation: number): Promise<Buffer | undefined> {
    const subject = this.subjectOf(scope);
    let known = await this.read(subject, scope);
    // A generation newer than what this process remembers: another process made it since.
    if (known.generation < generation) {
      this.forget(subject);
      known = await this.read(subject, scope);
    }
    return known.generation === generation ? known.key : undefined;
  }

  async destroy(scopes: ContentScope[]): Promise<void> {
    for (const scope of scopes) await this.destroyOne(scope);
  }

  private async destroyOne(scope: ContentScope): Promise<void> {
    const subject = this.subjectOf(scope);
    for (let attempt = 1; ; attempt++) {
      this.forget(subject);
      const entry = await this.entryOf(subject);
      let keyMessage: number | null;
      if (!entry) {
        keyMessage = null;
        if (await this.write(subject, { generation: 0, destroyed: true, keyMessage }, 0)) return;
      } else if ('destroyed' in entry.value) {
        // Destroyed before, perhaps by a process that stopped between the tombstone and the erase.
        keyMessage = entry.value.keyMessage;
        if (keyMessage !== null) await this.erase(keyMessage);
        return;
      } else {
        keyMessage = entry.seq;
        const tombstone: Entry = { generation: entry.value.generation, destroyed: true, keyMessage };
        if (await this.write(subject, tombstone, entry.seq)) {
          await this.erase(keyMessage);
          this.forget(subject);
          return;
        }
      }
      if (attempt === MAX_ATTEMPTS) throw new Error(`could not destroy the content key of ${subject}`);
    }
  }

  /** Overwrites a key's message on disk (and on every replica) and removes it. */
  private async erase(seq: number): Promise<void> {
    const jsm = await this.jsm;
    try {
      await jsm.streams.deleteMessage(this.stream, seq, true);
    } catch (error) {
      // Already erased (a destroy repeated, or racing another process's) is what was asked for;
      // nats-server 2.9 answers that with a general error code, so the message is looked for.
      if (!(error instanceof JetStreamApiError) || (await jsm.streams.getMessage(this.stream, { seq })))
        throw error;
    }
  }

  private async make(subject: string, scope: ContentScope, over: Known): Promise<DataKey | undefined> {
    const generation = over.generation + 1;
    const key = randomBytes(DATA_KEY_BYTES);
    const sealedKey = this.keyRing.seal(key.toString('base64'), this.contextOf(scope, generation));
    return (await this.write(subject, { generation, sealedKey }, over.seq)) ? { generation, key } : undefined;
  }

  /** Writes the scope's next entry if its last is still the one at `expectedSeq`; false if another process wrote first. */
  private async write(subject: string, entry: Entry, expectedSeq: number): Promise<boolean> {
    try {
      await this.js.publish(subject, JSON.stringify(entry), { expect: { lastSubjectSequence: expectedSeq } });
      return true;
    } catch (error) {
      if (isWrongLastSequence(error)) return false;
      throw error;
    } finally {
      this.forget(subject);
    }
  }

  private read(subject: string, scope: ContentScope): Promise<Known> {
    const known = this.known.get(subject);
    if (known) {
      this.known.delete(subject);
      // Most recently used last, so the oldest is forgotten first; one read too long ago is read again.
      if (Date.now() - (known.readAt ?? 0) < REMEMBER_MS) {
        this.known.set(subject, known);
        return Promise.resolve(known);
      }
    }
    const under = this.reading.get(subject);
    if (under) return under.fetched;
    const reading: Reading = { stale: false, fetched: this.fetch(subject, scope) };
    this.reading.set(subject, reading);
    void reading.fetched.then(
      (fetched) => {
        if (reading.stale) return;
        this.reading.delete(subject);
        this.remember(subject, fetched);
      },
      () => {
        if (!reading.stale) this.reading.delete(subject);
      },
    );
    return reading.fetched;
  }

  private async fetch(subject: string, scope: ContentScope): Promise<Known> {
    const entry = await this.entryOf(subject);
    if (!entry) return { generation: 0, seq: 0 };
    const { value, seq } = entry;
    if ('destroyed' in value) return { generation: value.generation, seq };
    const key = Buffer.from(
      this.keyRing.open(value.sealedKey, this.contextOf(scope, value.generation)),
      'base64',
    );
    return { generation: value.generation, key, seq };
  }

  private async entryOf(subject: string): Promise<{ value: Entry; seq: number } | undefined> {
    const jsm = await this.jsm;
    const stored = await jsm.streams.getMessage(this.stream, { last_by_subj: subject });
    return stored ? { value: stored.json<Entry>(), seq: stored.seq } : undefined;
  }

  private remember(subject: string, known: Known): void {
    this.known.set(subject, { ...known, readAt: Date.now() });
    if (this.known.size > REMEMBERED_SCOPES) this.known.delete(this.known.keys().next().value as string);
  }

  /** A write to the scope was seen: what was read of it before, or is being read, is out of date. */
  private forget(subject: string): void {
    this.known.delete(subject);
    const reading = this.reading.get(subject);
    if (reading) reading.stale = true;
    this.reading.delete(subject);
  }

  /** Writes made while the connection was down were not seen: nothing remembered can be trusted. */
  private async forgetAllOnReconnect(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === 'reconnect' || status.type === 'disconnect') {
        this.known.clear();
        for (const reading of this.reading.values()) reading.stale = true;
        this.reading.clear();
      }
    }
  }

  private subjectOf(scope: ContentScope): string {
    return `${this.prefix}${scope.kind}.${idToken(scope.id)}`;
  }

  private contextOf(scope: ContentScope, generation: number): string {
    return `content-key:${scope.kind}:${scope.id}:${generation}`;
  }
}
