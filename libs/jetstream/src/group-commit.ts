/** How a submission's shared attempt ended: the error, if any, and whether others were in it. */
export interface GroupAttempt {
  error: unknown;
  shared: boolean;
}

interface Submission<T> {
  work: T;
  size: number;
  done: (attempt: GroupAttempt) => void;
}

/**
 * Group commit: work submitted while an attempt is under way waits and goes together in the next
 * attempt, up to `maxSize`; work submitted while none is under way starts at once, so an idle
 * consumer adds no wait. A partitioned consumer's partitions each submit their batch here, and
 * one transaction applies what several partitions had ready: partitions spread a light load into
 * batches of one, and each batch pays the transaction's round trips and commit
 * (docs/performance.md). Each submission stays whole and in order within the attempt.
 */
export class GroupCommit<T> {
  private readonly waiting: Array<Submission<T>> = [];
  private running = false;

  constructor(
    private readonly maxSize: number,
    /** Attempts the works together; resolves with the error it failed with, undefined on success. */
    private readonly attempt: (works: T[]) => Promise<unknown>,
  ) {}

  submit(work: T, size: number): Promise<GroupAttempt> {
    return new Promise((done) => {
      this.waiting.push({ work, size, done });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.waiting.length) {
        let size = this.waiting[0].size;
        let count = 1;
        while (count < this.waiting.length && size + this.waiting[count].size <= this.maxSize)
          size += this.waiting[count++].size;
        const taken = this.waiting.splice(0, count);
        let error: unknown;
        try {
          error = await this.attempt(taken.map((s) => s.work));
        } catch (thrown) {
          error = thrown ?? new Error('group attempt failed');
        }
        for (const s of taken) s.done({ error, shared: taken.length > 1 });
      }
    } finally {
      this.running = false;
    }
  }
}
