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
import { nanos, NatsConnection } from '@nats-io/nats-core';

export interface CounterBucketOptions {
  /** The bucket's name (letters, digits, `-`, `_`); its stream is `KV_<bucket>`. */
  bucket: string;
  /** How long a count lasts from its first increment; the bucket forgets it one window after its last. */
  windowMs: number;
  replicas?: number;
}

/** A key's count in its current window, which started at `since` (epoch ms). */
export interface WindowCount {
  count: number;
  since: number;
}

/** `window` with `by` more increments at `now`: a new window once the old one has run out. */
export function countInWindow(
  window: WindowCount | undefined,
  by: number,
  now: number,
  windowMs: number,
): WindowCount {
  return window && now - window.since < windowMs
    ? { count: window.count + by, since: window.since }
    : { count: by, since: now };
}

/** One subject token of KV key characters: a key with any other is base64url-encoded behind `=`. */
function keyToken(key: string): string {
  return /^[-_a-zA-Z0-9]+$/.test(key) ? key : `=${Buffer.from(key).toString('base64url')}`;
}

function kvStreamConfig({ bucket, windowMs, replicas = 1 }: CounterBucketOptions): Partial<StreamConfig> & {
  name: string;
} {
  return {
    name: `KV_${bucket}`,
    subjects: [`$KV.${bucket}.>`],
    retention: RetentionPolicy.Limits,
    // Counters are worth nothing after their window: losing them with a broker restart is cheaper
    // than writing every request to disk.
    storage: StorageType.Memory,
    max_msgs_per_subject: 1,
    max_age: nanos(windowMs),
    duplicate_window: nanos(Math.min(windowMs, 120_000)),
    discard: DiscardPolicy.New,
    allow_rollup_hdrs: true,
    deny_delete: true,
    num_replicas: replicas,
  };
}

/**
 * Creates the bucket or brings its lifetime and replicas in line. Laid out as a JetStream
 * key-value bucket (nats-server 2.9 has them), so `nats kv get <bucket> <key>` reads a counter.
 */
export async function ensureCounterBucket(
  jsm: JetStreamManager,
  options: CounterBucketOptions,
): Promise<void> {
  const wanted = kvStreamConfig(options);
  try {
    const { config } = await jsm.streams.info(wanted.name);
    if (config.max_age !== wanted.max_age || config.num_replicas !== wanted.num_replicas)
      await jsm.streams.update(wanted.name, { ...config, ...wanted });
  } catch (error) {
    if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound)) throw error;
    // Two processes starting together both try: the second add finds an identical stream and succeeds.
    await jsm.streams.add(wanted);
  }
}

interface Known {
  window?: WindowCount;
  seq: number;
}

interface Batch {
  count: number;
  waiters: Array<{ resolve: (counted: WindowCount) => void; reject: (error: unknown) => void }>;
}

/** A write lost to another process this many times in a row: the bucket is too contended to count. */
const MAX_ATTEMPTS = 25;

/**
 * Counts in fixed windows shared by every process that uses the same bucket, each key's window
 * starting at its first increment (as @fastify/rate-limit's own store counts). An increment is a
 * compare-and-set on the key's last revision (`Nats-Expected-Last-Subject-Sequence`), retried when
 * another process wrote in between, so no increment is lost or counted twice. Increments of one key
 * asked for while its write is under way wait and go together in the next write, so a key contends
 * with other processes only, never with this one's own requests.
 */
export class SharedCounters {
  private readonly js: JetStreamClient;
  private readonly jsm: Promise<JetStreamManager>;
  private readonly stream: string;
  private readonly prefix: string;
  /** The last value and revision this process saw of each key: usually right, so one request does. */
  private known = new Map<string, Known>();
  private knownSince = Date.now();
  private readonly queued = new Map<string, Batch>();
  private readonly writing = new Set<string>();

  constructor(
    nc: NatsConnection,
    private readonly options: CounterBucketOptions & { timeoutMs: number },
  ) {
    this.js = jetstream(nc, { timeout: options.timeoutMs });
    this.jsm = this.js.jetstreamManager(false);
    this.stream = `KV_${options.bucket}`;
    this.prefix = `$KV.${options.bucket}.`;
  }

  /** Adds one to `key` and resolves with its count in the window, this increment included. */
  increment(key: string): Promise<WindowCount> {
    const subject = this.prefix + keyToken(key);
    return new Promise((resolve, reject) => {
      const batch = this.queued.get(subject) ?? { count: 0, waiters: [] };
      batch.count += 1;
      batch.waiters.push({ resolve, reject });
      this.queued.set(subject, batch);
      if (!this.writing.has(subject)) void this.writeQueued(subject);
    });
  }

  private async writeQueued(subject: string): Promise<void> {
    const batch = this.queued.get(subject);
    if (!batch) return;
    this.queued.delete(subject);
    this.writing.add(subject);
    try {
      const { count, since } = await this.add(subject, batch.count);
      const before = count - batch.count;
      batch.waiters.forEach((waiter, i) => waiter.resolve({ count: before + i + 1, since }));
    } catch (error) {
      for (const waiter of batch.waiters) waiter.reject(error);
    } finally {
      this.writing.delete(subject);
      void this.writeQueued(subject);
    }
  }

  private async add(subject: string, by: number): Promise<WindowCount> {
    this.forgetExpired();
    // A key never seen is most often new: try it as such before paying for a read.
    let known: Known = this.known.get(subject) ?? { seq: 0 };
    for (let attempt = 1; ; attempt++) {
      const window = countInWindow(known.window, by, Date.now(), this.options.windowMs);
      try {
        const ack = await this.js.publish(subject, JSON.stringify(window), {
          expect: { lastSubjectSequence: known.seq },
        });
        this.known.set(subject, { window, seq: ack.seq });
        return window;
      } catch (error) {
        const lost =
          error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamWrongLastSequence;
        if (!lost || attempt === MAX_ATTEMPTS) throw error;
      }
      known = await this.read(subject);
    }
  }

  private async read(subject: string): Promise<Known> {
    const jsm = await this.jsm;
    const stored = await jsm.streams.getMessage(this.stream, { last_by_subj: subject });
    return stored ? { window: stored.json<WindowCount>(), seq: stored.seq } : { seq: 0 };
  }

  /** Counts expire in the bucket; what this process remembers of them goes at the same pace. */
  private forgetExpired(): void {
    if (Date.now() - this.knownSince < this.options.windowMs) return;
    this.known = new Map();
    this.knownSince = Date.now();
  }
}
