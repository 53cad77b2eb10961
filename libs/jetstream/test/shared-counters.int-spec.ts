/**
 * Shared counters against a real nats-server: increments from two connections (two processes, as
 * far as the broker can tell) racing on the same keys are each counted exactly once.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { NatsConnection } from '@nats-io/nats-core';
import { startNats, TestNats } from '@parley/testing';
import { connectToNats, ensureCounterBucket, SharedCounters } from '../src';

const BUCKET = { bucket: 'test-counters', windowMs: 60_000 };

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
    const counted = await Promise.all(
      Array.from({ length: 200 }, (_, i) => counters[i % 2].increment('principal:racing')),
    );
    const totals = counted.map((c) => c.count).sort((a, b) => a - b);
    expect(totals).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(new Set(counted.map((c) => c.since)).size).toBe(1);
    expect((await counters[1].increment('principal:racing')).count).toBe(201);
  });

  it('keeps keys apart, whatever characters they hold', async () => {
    const count = async (at: number, key: string) => (await counters[at].increment(key)).count;
    expect(await count(0, 'reads:ip:2001:db8::1')).toBe(1);
    expect(await count(1, 'writes:ip:2001:db8::1')).toBe(1);
    expect(await count(1, 'reads:ip:2001:db8::1')).toBe(2);
    expect(await count(0, 'reads:ip:127.0.0.1')).toBe(1);
    expect(await count(0, 'reads-ip-127-0-0-1')).toBe(1);
  });

  it('starts a new window once the last one has run out', async () => {
    const short = { bucket: 'test-short-windows', windowMs: 1_000 };
    await ensureCounterBucket(await jetstreamManager(connections[0]), short);
    const quick = connections.map((nc) => new SharedCounters(nc, { ...short, timeoutMs: 2_000 }));
    const first = await quick[0].increment('k');
    expect((await quick[1].increment('k')).count).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const next = await quick[0].increment('k');
    expect(next.count).toBe(1);
    expect(next.since).toBeGreaterThanOrEqual(first.since + 1_000);
  });
});
