import { Logger } from '@nestjs/common';
import {
  ConsumerInfo,
  JetStreamApiCodes,
  JetStreamApiError,
  JetStreamManager,
  MsgRequest,
  StreamInfo,
} from '@nats-io/jetstream';
import { StreamNames } from '@parley/contracts';
import { Gauge } from 'prom-client';
import { registry } from './metrics';

/**
 * How close each durable consumer of the Parley streams is to losing messages to the stream's
 * retention: a message a consumer has not acknowledged when it is `max_age` old is removed unread.
 * Every service watches every consumer (not only its own), so a consumer whose service is down
 * is still reported by the others.
 */
export interface StreamExpiryOptions {
  /** The streams whose consumers are watched; every Parley stream by default. */
  streams?: string[];
  /** How often consumer and stream info is read; the scrapes in between read what it found. */
  intervalMs?: number;
}

export interface StreamExpiryWatch {
  /** Reads every watched stream and consumer now (the timer does it every `intervalMs`). */
  refresh(): Promise<void>;
  /** Stops reading and withdraws this watch's readings from the metrics. */
  stop(): void;
}

interface StreamReading {
  maxAgeSeconds: number;
  /** Per durable: when its oldest unacknowledged message was stored (ms), or undefined for none. */
  oldestPendingAt: Map<string, number | undefined>;
  /** When this reading was taken (ms): a stream that could not be read for long is dropped. */
  readAt: number;
}

const DEFAULT_INTERVAL_MS = 30_000;
/** A stream whose reading is older than this many intervals (it could not be read since) is dropped. */
const STALE_AFTER_INTERVALS = 3;

const watches = new Set<ExpiryWatch>();

new Gauge({
  name: 'parley_consumer_oldest_pending_age_seconds',
  help:
    'Age of the oldest message a durable consumer has not acknowledged (delivered or not), 0 when it ' +
    'has none; the stream removes it unread at parley_stream_max_age_seconds',
  labelNames: ['stream', 'consumer'],
  registers: [registry],
  collect() {
    this.reset();
    const now = Date.now();
    for (const watch of watches) {
      for (const [stream, reading] of watch.current(now)) {
        for (const [consumer, storedAt] of reading.oldestPendingAt) {
          const age = storedAt === undefined ? 0 : Math.max(0, (now - storedAt) / 1000);
          this.set({ stream, consumer }, age);
        }
      }
    }
  },
});

new Gauge({
  name: 'parley_stream_max_age_seconds',
  help: 'How long the stream keeps a message (its max_age), 0 for no limit',
  labelNames: ['stream'],
  registers: [registry],
  collect() {
    this.reset();
    const now = Date.now();
    for (const watch of watches)
      for (const [stream, reading] of watch.current(now)) this.set({ stream }, reading.maxAgeSeconds);
  },
});

const isApiError = (error: unknown, code: number) =>
  error instanceof JetStreamApiError && error.code === code;

class ExpiryWatch implements StreamExpiryWatch {
  private readonly log = new Logger('StreamExpiry');
  private readonly readings = new Map<string, StreamReading>();
  private readonly timer: NodeJS.Timeout;
  private round?: Promise<void>;
  private stopped = false;
  private failing = false;

  constructor(
    private readonly jsm: JetStreamManager,
    private readonly streams: string[],
    private readonly intervalMs: number,
  ) {
    this.timer = setInterval(() => void this.refresh(), intervalMs);
    this.timer.unref();
  }

  /** Readings recent enough to report. */
  *current(now: number): Iterable<[string, StreamReading]> {
    for (const entry of this.readings)
      if (now - entry[1].readAt <= STALE_AFTER_INTERVALS * this.intervalMs) yield entry;
  }

  refresh(): Promise<void> {
    // One round at a time: a slow broker must not pile up rounds.
    this.round ??= this.readAll().finally(() => (this.round = undefined));
    return this.round;
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    watches.delete(this);
  }

  private async readAll(): Promise<void> {
    const failures: string[] = [];
    for (const stream of this.streams) {
      try {
        const reading = await this.readStream(stream);
        if (this.stopped) return;
        if (reading) this.readings.set(stream, reading);
        else this.readings.delete(stream);
      } catch (error) {
        // The last reading stays until it is stale: one failed round does not hide a consumer.
        failures.push(`${stream}: ${(error as Error).message}`);
      }
    }
    if (failures.length && !this.failing)
      this.log.warn(`cannot read stream and consumer info: ${failures.join('; ')}`);
    this.failing = failures.length > 0;
  }

  /** The stream's retention and each consumer's oldest unacknowledged message; undefined if no stream. */
  private async readStream(stream: string): Promise<StreamReading | undefined> {
    let info: StreamInfo;
    try {
      info = await this.jsm.streams.info(stream);
    } catch (error) {
      if (isApiError(error, JetStreamApiCodes.StreamNotFound)) return undefined;
      throw error;
    }
    const consumers: ConsumerInfo[] = [];
    for await (const consumer of this.jsm.consumers.list(stream)) consumers.push(consumer);
    const oldest = await Promise.all(consumers.map((c) => this.oldestPendingAt(info, c)));
    return {
      maxAgeSeconds: info.config.max_age / 1e9,
      oldestPendingAt: new Map(consumers.map((c, i) => [c.name, oldest[i]])),
      readAt: Date.now(),
    };
  }

  /**
   * When the consumer's oldest unacknowledged message was stored: the first message of its filter
   * above its ack floor, delivered and unacked or not delivered yet. `next_by_subj` finds it past
   * deleted sequences and other subjects' messages (nats-server 2.9 answers it); should it find
   * nothing (the messages went between the two reads), the stream's first message stands in when
   * it is above the floor.
   */
  private async oldestPendingAt(stream: StreamInfo, consumer: ConsumerInfo): Promise<number | undefined> {
    if (consumer.num_pending + consumer.num_ack_pending === 0) return undefined;
    const floor = consumer.ack_floor.stream_seq;
    const { filter_subject, filter_subjects } = consumer.config;
    const filters = filter_subjects?.length ? filter_subjects : [filter_subject || '>'];
    const found = await Promise.all(
      filters.map((subject) =>
        this.jsm.streams.getMessage(stream.config.name, {
          seq: floor + 1,
          next_by_subj: subject,
        } as MsgRequest),
      ),
    );
    const times = found.flatMap((m) => (m ? [m.time.getTime()] : []));
    if (times.length) return Math.min(...times);
    const { first_seq, first_ts, messages } = stream.state;
    return messages > 0 && first_seq > floor && first_ts ? Date.parse(first_ts) : undefined;
  }

  start(): this {
    watches.add(this);
    void this.refresh();
    return this;
  }
}

/**
 * Reads every durable consumer of the given streams every `intervalMs` (30 s) and reports the age
 * of each one's oldest unacknowledged message (`parley_consumer_oldest_pending_age_seconds`) beside
 * the stream's retention (`parley_stream_max_age_seconds`). Scrapes read the last readings, so they
 * cost no broker round trips; the age is taken at the scrape, from when the message was stored.
 */
export function watchStreamExpiry(
  jsm: JetStreamManager,
  options: StreamExpiryOptions = {},
): StreamExpiryWatch {
  const streams = options.streams ?? Object.values(StreamNames);
  return new ExpiryWatch(jsm, streams, options.intervalMs ?? DEFAULT_INTERVAL_MS).start();
}
