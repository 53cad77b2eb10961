import { Agent, request } from 'node:http';
import { Samples } from './support';

export interface OfferedRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface OfferOutcome {
  /** Answered with `status` within the time limit. */
  accepted: number;
  /** Not answered with `status` within the limit: `late`, `unsent` and the rest (other answers, failures). */
  refused: number;
  /**
   * Answered with `status` after the limit. A request already sent is left to finish rather than
   * cut off: closing its connection would throw away the server's work on it and make the next
   * request pay for a new connection, so an overloaded run would measure the generator's churn.
   */
  late: number;
  /** Still waiting for a free connection at the limit: dropped without being sent. */
  unsent: number;
  /** From the first send until the last answer, late ones included. */
  seconds: number;
  /** Milliseconds from each request's send to its answer with `status`, late ones included. */
  answered: Samples;
}

/** A customer's message into their conversation, as the widget posts it. */
export function customerMessage(
  customer: { conversationId: string; token: string },
  body: string,
): OfferedRequest {
  return {
    path: `/v1/conversations/${customer.conversationId}/messages`,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${customer.token}` },
    body: JSON.stringify({ body }),
  };
}

/**
 * POSTs `total` requests evenly spaced at `rate` a second whatever the answers do (an open loop),
 * over at most `connections` keep-alive connections; `sent` is told when each one leaves, so a
 * request that waits for a free connection counts that wait too. autocannon's `overallRate` is not
 * a rate for this: each connection sends its share as a burst at the top of every second, so at
 * "100 msg/s" it measured bursts of 100 requests.
 */
export async function offerAtRate(opts: {
  url: string;
  rate: number;
  total: number;
  connections: number;
  status: number;
  timeoutMs: number;
  build: (i: number) => OfferedRequest;
  sent: (i: number, at: number) => void;
}): Promise<OfferOutcome> {
  const agent = new Agent({ keepAlive: true, maxSockets: opts.connections });
  const target = new URL(opts.url);
  const counts = { accepted: 0, refused: 0, late: 0, unsent: 0 };
  const answered = new Samples();
  let lastAnswer = 0;
  const send = (i: number) =>
    new Promise<void>((resolve) => {
      const { path, headers, body } = opts.build(i);
      let [inTime, settled] = [true, false];
      const settle = (ok: boolean) => {
        if (settled) return;
        settled = true;
        lastAnswer = performance.now();
        if (ok && inTime) counts.accepted++;
        else counts.refused++;
        if (ok && !inTime) counts.late++;
        resolve();
      };
      let [sentOnSocket, responded] = [false, false];
      const at = performance.now();
      opts.sent(i, at);
      const req = request(
        {
          host: target.hostname,
          port: target.port,
          method: 'POST',
          path,
          agent,
          headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        },
        (res) => {
          responded = true;
          res.resume();
          res.on('end', () => {
            if (res.statusCode === opts.status) answered.add(performance.now() - at);
            settle(res.statusCode === opts.status);
          });
          res.on('close', () => settle(false));
        },
      );
      req.on('socket', () => (sentOnSocket = true));
      const limit = setTimeout(() => {
        inTime = false;
        if (sentOnSocket) return;
        counts.unsent++;
        req.destroy(new Error('no free connection in time'));
      }, opts.timeoutMs);
      // A server that never answers must not hold the run forever.
      const giveUp = setTimeout(() => req.destroy(new Error('no answer')), 6 * opts.timeoutMs);
      req.on('close', () => {
        clearTimeout(limit);
        clearTimeout(giveUp);
        if (!responded) settle(false);
      });
      req.on('error', () => settle(false));
      req.end(body);
    });

  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < opts.total;) {
    const due = Math.min(opts.total, Math.floor(((performance.now() - started) * opts.rate) / 1000) + 1);
    for (; i < due; i++) inFlight.push(send(i));
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(inFlight);
  agent.destroy();
  return { ...counts, seconds: (lastAnswer - started) / 1000, answered };
}
