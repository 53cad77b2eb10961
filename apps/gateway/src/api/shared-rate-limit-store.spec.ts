import { WindowCount } from '@parley/jetstream';
import { SharedWindowStore, WindowCounters } from './shared-rate-limit-store';

const WINDOW_MS = 60_000;

function incr(store: SharedWindowStore, key: string): Promise<{ current: number; ttl: number }> {
  return new Promise((resolve, reject) =>
    store.incr(key, (error, result) => (error || !result ? reject(error) : resolve(result))),
  );
}

describe('SharedWindowStore', () => {
  let shared: { up: boolean; calls: number };
  let counters: WindowCounters;

  beforeEach(() => {
    jest.useFakeTimers({ now: 1_000_000 });
    shared = { up: true, calls: 0 };
    counters = {
      increment: async (): Promise<WindowCount> => {
        shared.calls += 1;
        if (!shared.up) throw new Error('NATS is away');
        return { count: 7, since: Date.now() - 10_000 };
      },
    };
  });

  afterEach(() => jest.useRealTimers());

  it('answers with the shared count and the time left in its window', async () => {
    const store = new SharedWindowStore(counters, WINDOW_MS);
    expect(await incr(store, 'reads:ip:1')).toEqual({ current: 7, ttl: 50_000 });
  });

  it('counts in this process alone while the shared counts fail, and tries them again later', async () => {
    const store = new SharedWindowStore(counters, WINDOW_MS);
    shared.up = false;
    expect((await incr(store, 'writes:principal:a')).current).toBe(1);
    expect((await incr(store, 'writes:principal:a')).current).toBe(2);
    expect((await incr(store, 'writes:principal:b')).current).toBe(1);
    // Failed once: not asked again at every request while it is away.
    expect(shared.calls).toBe(1);
    shared.up = true;
    jest.advanceTimersByTime(5_000);
    expect((await incr(store, 'writes:principal:a')).current).toBe(7);
  });

  it('starts a new window for a key counted alone once its window has run out', async () => {
    const store = new SharedWindowStore(counters, WINDOW_MS);
    shared.up = false;
    await incr(store, 'reads:ip:1');
    jest.advanceTimersByTime(WINDOW_MS);
    expect(await incr(store, 'reads:ip:1')).toEqual({ current: 1, ttl: WINDOW_MS });
  });
});
