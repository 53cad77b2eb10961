import { GroupCommit } from './group-commit';

/** An attempt the test finishes by hand, recording which works went together. */
function manualAttempts() {
  const attempts: Array<{ works: string[]; finish: (error?: unknown) => void }> = [];
  const attempt = (works: string[]) =>
    new Promise<unknown>((resolve) => attempts.push({ works, finish: (error) => resolve(error) }));
  return { attempts, attempt };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('GroupCommit', () => {
  it('starts an attempt at once when none is under way, alone', async () => {
    const { attempts, attempt } = manualAttempts();
    const commit = new GroupCommit<string>(10, attempt);
    const done = commit.submit('p0', 1);
    expect(attempts.map((a) => a.works)).toEqual([['p0']]);
    attempts[0].finish();
    await expect(done).resolves.toEqual({ error: undefined, shared: false });
  });

  it('sends what was submitted during an attempt together in the next, in order, up to the size', async () => {
    const { attempts, attempt } = manualAttempts();
    const commit = new GroupCommit<string>(5, attempt);
    const first = commit.submit('p0', 2);
    const waiting = [
      commit.submit('p1', 2),
      commit.submit('p2', 3),
      commit.submit('p3', 1),
      commit.submit('p4', 4),
    ];
    attempts[0].finish();
    await first;
    await settle();
    // 2 + 3 = 5 fits; p3 would make 6, so it starts the attempt after.
    expect(attempts.map((a) => a.works)).toEqual([['p0'], ['p1', 'p2']]);
    attempts[1].finish();
    await settle();
    expect(attempts[2].works).toEqual(['p3', 'p4']);
    attempts[2].finish();
    await expect(Promise.all(waiting)).resolves.toEqual([
      { error: undefined, shared: true },
      { error: undefined, shared: true },
      { error: undefined, shared: true },
      { error: undefined, shared: true },
    ]);
  });

  it('takes a submission larger than the size alone rather than never', async () => {
    const { attempts, attempt } = manualAttempts();
    const commit = new GroupCommit<string>(3, attempt);
    void commit.submit('p0', 1);
    const big = commit.submit('p1', 7);
    attempts[0].finish();
    await settle();
    expect(attempts[1].works).toEqual(['p1']);
    attempts[1].finish();
    await expect(big).resolves.toEqual({ error: undefined, shared: false });
  });

  it('tells every submission of a failed attempt its error, and goes on with the next', async () => {
    const { attempts, attempt } = manualAttempts();
    const commit = new GroupCommit<string>(10, attempt);
    const first = commit.submit('p0', 1);
    const together = [commit.submit('p1', 1), commit.submit('p2', 1)];
    attempts[0].finish();
    await first;
    await settle();
    const failure = new Error('p2 is poisoned');
    attempts[1].finish(failure);
    await expect(Promise.all(together)).resolves.toEqual([
      { error: failure, shared: true },
      { error: failure, shared: true },
    ]);
    const after = commit.submit('p1', 1);
    expect(attempts[2].works).toEqual(['p1']);
    attempts[2].finish();
    await expect(after).resolves.toEqual({ error: undefined, shared: false });
  });

  it('treats an attempt that throws as failed, never leaving a submission waiting', async () => {
    const failure = new Error('lost the connection');
    const commit = new GroupCommit<string>(10, () => Promise.reject(failure));
    await expect(commit.submit('p0', 1)).resolves.toEqual({ error: failure, shared: false });
    await expect(commit.submit('p1', 1)).resolves.toEqual({ error: failure, shared: false });
  });
});
