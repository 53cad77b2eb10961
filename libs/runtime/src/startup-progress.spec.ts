import { StartupProgress } from './startup-progress';

describe('StartupProgress', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('names the step a slow start is stuck on, again while it lasts, and is quiet once started', () => {
    const lines: string[] = [];
    const progress = new StartupProgress('conversation', 10_000, (line) => lines.push(line));

    progress.enter('connecting to NATS');
    jest.advanceTimersByTime(4_000);
    progress.enter('creating the application (database connection and migrations)');
    jest.advanceTimersByTime(9_000);
    expect(lines).toEqual([]);

    jest.advanceTimersByTime(1_000);
    expect(lines).toHaveLength(1);
    const warning = JSON.parse(lines[0]);
    expect(warning).toMatchObject({
      level: 40,
      service: 'conversation',
      msg: 'conversation is still starting after 14 s: creating the application (database connection and migrations) for 10 s',
    });
    expect(Array.isArray(warning.waitingOn)).toBe(true);

    jest.advanceTimersByTime(9_000);
    expect(lines).toHaveLength(1);
    jest.advanceTimersByTime(1_000);
    expect(JSON.parse(lines[1]).msg).toMatch(/after 24 s: .* for 20 s$/);

    progress.done();
    jest.advanceTimersByTime(60_000);
    expect(lines).toHaveLength(2);
  });
});
