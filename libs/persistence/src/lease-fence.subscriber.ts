import { currentFences, FencedOut } from '@parley/jetstream';
import { EntitySubscriberInterface, EventSubscriber, TransactionCommitEvent } from 'typeorm';

/**
 * Refuses to commit a transaction made while handling partitions' messages once another process
 * has taken any of them over (its epoch moved on). The check locks the lease rows until the
 * commit, so a takeover waits for a commit that passed it: a stale owner that wakes up (after a
 * pause past its lease, say) can never write after the new owner has begun. One statement checks
 * every partition a batch gathered messages from.
 */
@EventSubscriber()
export class LeaseFenceSubscriber implements EntitySubscriberInterface {
  async beforeTransactionCommit(event: TransactionCommitEvent): Promise<void> {
    const fences = currentFences();
    if (!fences.length) return;
    const { schema } = event.queryRunner.connection.options as { schema?: string };
    const held: Array<{ name: string }> = await event.queryRunner.query(
      `SELECT l.name FROM "${schema}".partition_leases l
        WHERE (l.name, l.owner, l.epoch) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[]))
          FOR SHARE OF l`,
      [fences.map((f) => f.name), fences.map((f) => f.owner), fences.map((f) => f.epoch)],
    );
    if (held.length === fences.length) return;
    const kept = new Set(held.map((row) => row.name));
    const lost = fences.filter((f) => !kept.has(f.name));
    throw new FencedOut(lost.map((f) => `lease ${f.name} epoch ${f.epoch} was taken over`).join('; '));
  }
}
