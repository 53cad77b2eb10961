import type { FastifyRateLimitStore } from '@fastify/rate-limit';
import { Logger } from '@nestjs/common';
import { SharedCounters } from '@parley/jetstream';

/** After the shared counters failed, how long each process counts alone before it tries them again. */
const COUNT_ALONE_MS = 5_000;

/**
 * Fixed windows counted in the shared bucket, one counter per key and window, so every gateway
 * process spends the same budget.
 *
 * When the bucket cannot be reached (NATS away, or too slow), each process counts on its own until
 * it can again: the limit then holds per process rather than not at all, and no request is refused
 * for the limiter's sake. Failing closed would gain nothing: every `/v1` route needs NATS itself
 * and answers 503 without it.
 */
export class SharedWindowStore implements FastifyRateLimitStore {
  private readonly log = new Logger('RateLimits');
  private aloneUntil = 0;
  private aloneWindow = -1;
  private readonly alone = new Map<string, number>();

  constructor(
    private readonly counters: SharedCounters,
    private readonly windowMs: number,
  ) {}

  incr(
    key: string,
    callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
  ): void {
    const now = Date.now();
    const window = Math.floor(now / this.windowMs);
    const ttl = (window + 1) * this.windowMs - now;
    this.count(`${key}@${window}`, window).then((current) => callback(null, { current, ttl }), callback);
  }

  child(): FastifyRateLimitStore {
    return this;
  }

  private async count(windowKey: string, window: number): Promise<number> {
    if (Date.now() >= this.aloneUntil) {
      try {
        return await this.counters.increment(windowKey);
      } catch (error) {
        if (Date.now() >= this.aloneUntil)
          this.log.warn(
            `the shared rate-limit counters failed (${(error as Error).message}); counting in this process alone for ${COUNT_ALONE_MS / 1000} s`,
          );
        this.aloneUntil = Date.now() + COUNT_ALONE_MS;
      }
    }
    if (window !== this.aloneWindow) {
      this.alone.clear();
      this.aloneWindow = window;
    }
    const current = (this.alone.get(windowKey) ?? 0) + 1;
    this.alone.set(windowKey, current);
    return current;
  }
}
