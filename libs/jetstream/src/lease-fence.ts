import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Proof that this process owns a partition: the lease's name, this process's member id and the
 * lease's epoch when it was granted. Whoever takes the lease over raises the epoch, so a write
 * made under an older fence can be refused where it is committed.
 */
export interface Fence {
  name: string;
  owner: string;
  epoch: number;
}

const fences = new AsyncLocalStorage<Fence[]>();

/**
 * The fences of the partitions whose messages are being handled (none when the consumer is not
 * partitioned): a batch may gather the messages of several partitions this process holds.
 */
export function currentFences(): Fence[] {
  return fences.getStore() ?? [];
}

export function runFenced<T>(held: Fence[], work: () => T): T {
  return held.length ? fences.run(held, work) : work();
}

/**
 * The partition's lease was taken over while its message was being handled: the write was refused
 * and must be neither acked nor retried here. The new owner handles the message.
 */
export class FencedOut extends Error {
  override readonly name = 'FencedOut';
}
