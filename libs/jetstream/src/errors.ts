/**
 * A handler throws this when retrying can never help (the command contradicts stored state in a
 * way no later delivery will change). The transport dead-letters the message instead of retrying,
 * and a client waiting for the command gets `status` with the reason (see applied-notice.ts).
 */
export class PermanentFailure extends Error {
  override readonly name = 'PermanentFailure';
  constructor(
    reason: string,
    readonly status = 422,
  ) {
    super(reason);
  }
}

/**
 * A handler throws this to have the message delivered again after a delay of its own choosing
 * (a webhook's retry schedule), rather than the transport's backoff. It is not counted as a failure.
 */
export class RetryLater extends Error {
  override readonly name = 'RetryLater';
  constructor(
    readonly delayMs: number,
    reason: string,
  ) {
    super(reason);
  }
}

/** A query handler throws this to answer with an HTTP problem (404, 400, …) instead of a result. */
export class QueryRejected extends Error {
  override readonly name = 'QueryRejected';
  constructor(
    readonly status: number,
    readonly title: string,
    detail: string,
  ) {
    super(detail);
  }
}

/** The broker or the owning service could not be reached; the gateway answers 503. */
export class BrokerUnavailable extends Error {
  override readonly name = 'BrokerUnavailable';
}

/**
 * A query the owning service did not answer with a verdict: it was away, or failing (a 5xx, e.g.
 * without its database). A check that only advises a write lets the write through on this.
 */
export function unanswered(error: unknown): boolean {
  return error instanceof BrokerUnavailable || (error instanceof QueryRejected && error.status >= 500);
}
