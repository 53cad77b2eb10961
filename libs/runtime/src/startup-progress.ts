/**
 * Names the step a starting service is on, and says so on stderr while a step takes longer than
 * `warnAfterMs`. Logs are buffered until the application exists, so without this a start stuck
 * on a lock or an unanswered connection prints nothing at all, whatever LOG_LEVEL is. A step is
 * reported again every further `warnAfterMs` it lasts.
 */
export class StartupProgress {
  private step = 'loading configuration';
  private stepStartedAt = Date.now();
  private warningsOnStep = 0;
  private readonly startedAt = Date.now();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly service: string,
    warnAfterMs = 10_000,
    private readonly write: (line: string) => void = (line) => process.stderr.write(line),
  ) {
    this.timer = setInterval(() => this.warnIfSlow(warnAfterMs), Math.min(warnAfterMs, 1_000));
    this.timer.unref();
  }

  /** The step the start is on now. */
  enter(step: string): void {
    this.step = step;
    this.stepStartedAt = Date.now();
    this.warningsOnStep = 0;
  }

  done(): void {
    clearInterval(this.timer);
  }

  private warnIfSlow(warnAfterMs: number): void {
    const onStep = Date.now() - this.stepStartedAt;
    if (Math.floor(onStep / warnAfterMs) <= this.warningsOnStep) return;
    this.warningsOnStep += 1;
    const line = {
      level: 40,
      time: Date.now(),
      service: this.service,
      msg:
        `${this.service} is still starting after ${Math.round((Date.now() - this.startedAt) / 1000)} s: ` +
        `${this.step} for ${Math.round(onStep / 1000)} s`,
      // What the event loop is waiting on (sockets, timers), for an operator reading a stuck start.
      waitingOn: process.getActiveResourcesInfo(),
    };
    this.write(`${JSON.stringify(line)}\n`);
  }
}
