/** A delivery after an attempt; a pending one is tried again after `retryInMs`. */
export type AttemptResult = { status: 'succeeded' | 'failed' } | { status: 'pending'; retryInMs: number };

/**
 * What an attempt leaves its delivery as: succeeded on a 2xx answer; otherwise pending for the
 * schedule's entry for this attempt (seconds), ±20% jitter so that deliveries that failed together
 * are not all retried together; failed once the schedule is used up.
 */
export function afterAttempt(
  attempt: number,
  statusCode: number | null,
  schedule: number[],
  random: () => number = Math.random,
): AttemptResult {
  if (statusCode !== null && statusCode >= 200 && statusCode < 300) return { status: 'succeeded' };
  if (attempt > schedule.length) return { status: 'failed' };
  return { status: 'pending', retryInMs: Math.round(schedule[attempt - 1] * 1000 * (0.8 + random() * 0.4)) };
}
