import { RequestOne } from '@nats-io/nats-core/internal';

interface PendingRequest {
  resolver(error: Error | null, msg: unknown): void;
  cancel(error?: Error): void;
  timer?: { cancel(): void };
  mux: { cancel(request: PendingRequest): void };
  answered?: boolean;
}

let applied = false;

/**
 * nats.js (3.4) cancels each request once its answer is in, and that cancel rejects the settled
 * promise with a new RequestError("cancelled"): an Error, stack and all, for every JetStream
 * publish and every query, thrown away at once. It was 6% of conversation's CPU in a catch-up.
 * Here an answered request is only taken off the books (its timer and its mux entry); a request
 * cancelled before its answer (timeout, failed send) still goes through nats.js's own cancel.
 * Checked by `test/answered-requests.int-spec.ts` against the installed version.
 */
export function skipCancelErrorOfAnsweredRequests(): void {
  if (applied) return;
  const prototype = RequestOne.prototype as unknown as PendingRequest;
  const { resolver, cancel } = prototype;
  if (typeof resolver !== 'function' || typeof cancel !== 'function') {
    throw new Error(
      '@nats-io/nats-core RequestOne no longer has resolver and cancel: review answered-requests.ts',
    );
  }
  prototype.resolver = function (this: PendingRequest, error, msg) {
    this.answered = true;
    resolver.call(this, error, msg);
  };
  prototype.cancel = function (this: PendingRequest, error?: Error) {
    if (!this.answered || error) return cancel.call(this, error);
    this.timer?.cancel();
    this.mux.cancel(this);
  };
  applied = true;
}
