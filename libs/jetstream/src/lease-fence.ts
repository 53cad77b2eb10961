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

const fences = new AsyncLocalStorage<Fence>();

/** The fence of the partition whose message is being handled, if the consumer is partitioned. */
export function currentFence(): Fence | undefined {
  return fences.getStore();
}

export function runFenced<T>(fence: Fence | undefined, work: () => T): T {
  return fence ? fences.run(fence, work) : work();
}

/**
 * The partition's lease was taken over while its message was being handled: the write was refused
 * and must be neither acked nor retried here. The new owner handles the message.
 */
export class FencedOut extends Error {
  override readonly name = 'FencedOut';
}
