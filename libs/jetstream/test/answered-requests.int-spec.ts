/**
 * nats.js requests against a real nats-server, before and after `skipCancelErrorOfAnsweredRequests`:
 * answered requests stop building a throw-away RequestError("cancelled"), and everything a caller
 * sees (answers, timeouts, no responders, a late answer) stays as nats.js makes it.
 */
import { dirname, join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { errors, NatsConnection, TimeoutError } from '@nats-io/nats-core';
import { startNats, TestNats } from '@parley/testing';
import { skipCancelErrorOfAnsweredRequests } from '../src/answered-requests';

// The module nats.js's requests build their errors from, looked up by name at each `new`.
const natsErrors = require(join(dirname(require.resolve('@nats-io/nats-core')), 'errors.js')) as {
  RequestError: typeof errors.RequestError;
};

describe('answered nats.js requests', () => {
  let nats: TestNats;
  let nc: NatsConnection;
  const cancelled: string[] = [];
  const OriginalRequestError = natsErrors.RequestError;

  beforeAll(async () => {
    nats = await startNats();
    nc = await connect({ servers: nats.url, noAsyncTraces: true });
    nc.subscribe('answers.now', {
      callback: (_error, msg) => {
        msg.respond('yes');
      },
    });
    nc.subscribe('answers.late', {
      callback: (_error, msg) => {
        setTimeout(() => msg.respond('too late'), 300);
      },
    });
    natsErrors.RequestError = class CountedRequestError extends OriginalRequestError {
      constructor(message: string, options?: ErrorOptions) {
        super(message, options);
        cancelled.push(message);
      }
    };
  });

  afterAll(async () => {
    natsErrors.RequestError = OriginalRequestError;
    await nc?.close();
    await nats?.stop();
  });

  const askMany = async (n: number) => {
    const answers = await Promise.all(Array.from({ length: n }, () => nc.request('answers.now', '?')));
    return answers.map((m) => m.string());
  };

  it('build a RequestError for every answer in nats.js as installed (what the patch is for)', async () => {
    cancelled.length = 0;
    expect(await askMany(50)).toEqual(Array(50).fill('yes'));
    expect(cancelled.filter((m) => m === 'cancelled')).toHaveLength(50);
  });

  it('build none once answered requests skip it, and callers see the same outcomes', async () => {
    skipCancelErrorOfAnsweredRequests();
    skipCancelErrorOfAnsweredRequests();
    cancelled.length = 0;
    expect(await askMany(50)).toEqual(Array(50).fill('yes'));
    expect(cancelled).toEqual([]);

    await expect(nc.request('answers.late', '?', { timeout: 100 })).rejects.toBeInstanceOf(TimeoutError);
    await expect(nc.request('answers.nobody', '?', { timeout: 1_000 })).rejects.toThrow(/no responders/i);
    // The late answer to the timed-out request arrives now and must change nothing.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await askMany(5)).toEqual(Array(5).fill('yes'));
  });
});
