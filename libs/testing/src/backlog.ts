import type { JetStreamManager } from '@nats-io/jetstream';

export interface Backlog {
  /** Not yet delivered, over every partition. */
  pending: number;
  /** Delivered and not yet acknowledged, over every partition. */
  ackPending: number;
  /** The highest stream sequence delivered to any partition. */
  delivered: number;
}

/** A partitioned durable's backlog: its partitions' (`<group>-p<n>`) consumer state added up. */
export async function backlogOf(jsm: JetStreamManager, stream: string, group: string): Promise<Backlog> {
  const backlog: Backlog = { pending: 0, ackPending: 0, delivered: 0 };
  const partition = new RegExp(`^${group}-p\\d+$`);
  for await (const info of jsm.consumers.list(stream)) {
    if (!partition.test(info.name)) continue;
    backlog.pending += info.num_pending;
    backlog.ackPending += info.num_ack_pending;
    backlog.delivered = Math.max(backlog.delivered, info.delivered.stream_seq);
  }
  return backlog;
}
