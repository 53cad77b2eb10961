import { currentFence, FencedOut } from '@parley/jetstream';
import { EntitySubscriberInterface, EventSubscriber, TransactionCommitEvent } from 'typeorm';

/**
 * Refuses to commit a transaction made while handling a partition's message once another process
 * has taken the partition over (its epoch moved on). The check locks the lease row until the
 * commit, so a takeover waits for a commit that passed it: a stale owner that wakes up (after a
 * pause past its lease, say) can never write after the new owner has begun.
 */
@EventSubscriber()
export class LeaseFenceSubscriber implements EntitySubscriberInterface {
  async beforeTransactionCommit(event: TransactionCommitEvent): Promise<void> {
    const fence = currentFence();
    if (!fence) return;
    const { schema } = event.queryRunner.connection.options as { schema?: string };
    const held: unknown[] = await event.queryRunner.query(
      `SELECT FROM "${schema}".partition_leases WHERE name = $1 AND owner = $2 AND epoch = $3 FOR SHARE`,
      [fence.name, fence.owner, fence.epoch],
    );
    if (!held.length) throw new FencedOut(`lease ${fence.name} epoch ${fence.epoch} was taken over`);
  }
}
