import { DataSource, EntityManager } from 'typeorm';

/** How many due items one transaction takes: a crash redoes at most this many. */
const BATCH = 20;

/**
 * Works off what is due, a batch per transaction: `claim` takes rows that no other process holds
 * (FOR UPDATE SKIP LOCKED), `handle` deals with each inside the same transaction, so an item is
 * done exactly when its claim commits. Stops when a batch comes back short, or when asked to.
 */
export async function workOffDue<T>(
  db: DataSource,
  stopped: () => boolean,
  claim: (m: EntityManager, limit: number) => Promise<T[]>,
  handle: (m: EntityManager, item: T) => Promise<void>,
): Promise<void> {
  while (!stopped()) {
    const claimed = await db.transaction(async (m) => {
      const due = await claim(m, BATCH);
      for (const item of due) await handle(m, item);
      return due.length;
    });
    if (claimed < BATCH) return;
  }
}
