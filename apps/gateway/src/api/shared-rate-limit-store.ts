import type { FastifyRateLimitStore } from '@fastify/rate-limit';
import { Logger } from '@nestjs/common';
import { countInWindow, WindowCount } from '@parley/jetstream';

/** The shared counts, as `SharedCounters` keeps them. */
export interface WindowCounters {
  increment(key: string): Promise<WindowCount>;
}

/** After the shared counts failed, how long each process counts alone before it tries them again. */
const COUNT_ALONE_MS = 5_000;

/**
 * @fastify/rate-limit's store over counts shared by every gateway process.
 *
 * When they cannot be reached (NATS away, or too slow), each process counts on its own until it
 * can again: the limit then holds per process rather than not at all, and no request is refused
 * for the limiter's sake. Failing closed would gain nothing: every `/v1` route needs NATS itself
 * and answers 503 without it.
 */
export class SharedWindowStore implements FastifyRateLimitStore {
  private readonly log = new Logger('RateLimits');
  private aloneUntil = 0;
  private alone = new Map<string, WindowCount>();
  private aloneSweptAt = Date.now();

  constructor(
    private readonly counters: WindowCounters,
    private readonly windowMs: number,
  ) {}

  incr(
    key: string,
    callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
  ): void {
    this.count(key).then(
      ({ count, since }) => callback(null, { current: count, ttl: since + this.windowMs - Date.now() }),
      callback,
    );
  }

  child(): FastifyRateLimitStore {
    return this;
  }

  private async count(key: string): Promise<WindowCount> {
    if (Date.now() >= this.aloneUntil) {
      try {
        return await this.counters.increment(key);
      } catch (error) {
        if (Date.now() >= this.aloneUntil)
          this.log.warn(
            `the shared rate-limit counts failed (${(error as Error).message}); counting in this process alone for ${COUNT_ALONE_MS / 1000} s`,
          );
        this.aloneUntil = Date.now() + COUNT_ALONE_MS;
      }
    }
    const now = Date.now();
    if (now - this.aloneSweptAt >= this.windowMs) {
      this.alone = new Map([...this.alone].filter(([, window]) => now - window.since < this.windowMs));
      this.aloneSweptAt = now;
    }
    const window = countInWindow(this.alone.get(key), 1, now, this.windowMs);
    this.alone.set(key, window);
    return window;
  }
}
