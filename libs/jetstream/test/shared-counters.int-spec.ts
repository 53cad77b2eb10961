/**
 * Shared counters against a real nats-server: increments from two connections (two processes, as
 * far as the broker can tell) racing on the same keys are each counted exactly once.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { NatsConnection } from '@nats-io/nats-core';
import { startNats, TestNats } from '@parley/testing';
import { connectToNats, ensureCounterBucket, SharedCounters } from '../src';

const BUCKET = { bucket: 'test-counters', ttlMs: 60_000 };

describe('SharedCounters', () => {
  let nats: TestNats;
  let connections: NatsConnection[];
  let counters: SharedCounters[];

  beforeAll(async () => {
    nats = await startNats();
    connections = [await connectToNats(nats.url, 'counters-a'), await connectToNats(nats.url, 'counters-b')];
    await ensureCounterBucket(await jetstreamManager(connections[0]), BUCKET);
    // Made twice, as two processes starting together would: the second finds the bucket as wanted.
    await ensureCounterBucket(await jetstreamManager(connections[1]), BUCKET);
    counters = connections.map((nc) => new SharedCounters(nc, { ...BUCKET, timeoutMs: 2_000 }));
  });

  afterAll(async () => {
    await Promise.all(connections?.map((nc) => nc.close()) ?? []);
    await nats?.stop();
  });

  it('counts every increment from two processes racing on one key once, each answered with its own total', async () => {
    const totals = await Promise.all(
      Array.from({ length: 200 }, (_, i) => counters[i % 2].increment('principal:racing')),
    );
    expect([...totals].sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(await counters[1].increment('principal:racing')).toBe(201);
  });

  it('keeps keys apart, whatever characters they hold', async () => {
    expect(await counters[0].increment('ip:2001:db8::1@1')).toBe(1);
    expect(await counters[1].increment('ip:2001:db8::1@2')).toBe(1);
    expect(await counters[1].increment('ip:2001:db8::1@1')).toBe(2);
    expect(await counters[0].increment('ip:127.0.0.1@1')).toBe(1);
  });
});
