import { Agent, request } from 'node:http';
import { Samples } from './support';

export interface OfferedRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface OfferOutcome {
  /** Answered with `status`. */
  accepted: number;
  /** Answered otherwise, failed or not answered in time. */
  refused: number;
  /** From the first send until the last answer (or give-up). */
  seconds: number;
  /** Milliseconds from each request's send to its answer with `status`. */
  answered: Samples;
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
  let accepted = 0;
  let refused = 0;
  const answered = new Samples();
  const send = (i: number) =>
    new Promise<void>((resolve) => {
      const { path, headers, body } = opts.build(i);
      let settled = false;
      const settle = (ok: boolean) => {
        if (settled) return;
        settled = true;
        if (ok) accepted++;
        else refused++;
        resolve();
      };
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
          res.resume();
          res.on('end', () => {
            if (res.statusCode === opts.status) answered.add(performance.now() - at);
            settle(res.statusCode === opts.status);
          });
          res.on('error', () => settle(false));
        },
      );
      const timer = setTimeout(() => req.destroy(new Error('no answer in time')), opts.timeoutMs);
      req.on('close', () => clearTimeout(timer));
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
  return { accepted, refused, seconds: (performance.now() - started) / 1000, answered };
}
