import {
  AckPolicy,
  ConsumerConfig,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  JetStreamManager,
  RetentionPolicy,
  StorageType,
  StreamConfig,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { partitionedSubject, type StreamDefinition } from '@parley/contracts';

export interface ConsumerDefinition {
  stream: string;
  durable: string;
  filterSubject: string;
  /** Seconds the server waits for an ack before redelivering (default 10); handlers extend it with working(). */
  ackWaitSeconds?: number;
  maxAckPending?: number;
  /** Messages handled at once; the default 1 keeps the stream's order. */
  concurrency?: number;
  /** Deliveries before dead-lettering, when this consumer needs another limit than the service's. */
  maxDeliver?: number;
  /** Most messages handed to a batch handler at once (`HandleEventBatch`); without it, one by one. */
  maxBatch?: number;
  /**
   * Strict stream order, across failures and restarts too: one process at a time consumes (under
   * the transport's lease), a failing message is retried in place instead of being overtaken, and
   * after a crash the messages it left unacked are handled before any newer one.
   */
  ordered?: boolean;
  /**
   * One durable per partition (`<durable>-p<n>`, filtering on `parley.<root>.<n>.…`), each ordered:
   * see `partitionConsumers`. Set on the declaration, replaced by `group` once expanded.
   */
  partitioned?: boolean;
  /** The partitioned durable this one is a partition of, and how many partitions it has. */
  group?: { name: string; partitions: number };
}

/**
 * Expands each partitioned declaration into one ordered durable per partition; the transport takes
 * each under a lease, so one process at a time applies a partition in stream order.
 */
export function partitionConsumers(defs: ConsumerDefinition[], partitions: number): ConsumerDefinition[] {
  return defs.flatMap(({ partitioned, ...def }) =>
    partitioned
      ? Array.from({ length: partitions }, (_, p) => ({
          ...def,
          durable: `${def.durable}-p${p}`,
          filterSubject: partitionedSubject(def.filterSubject, p),
          ordered: true,
          group: { name: def.durable, partitions },
        }))
      : [def],
  );
}

export type ProvisionResult = 'created' | 'updated' | 'unchanged';

function isNotFound(error: unknown): boolean {
  return (
    error instanceof JetStreamApiError &&
    (error.code === JetStreamApiCodes.StreamNotFound || error.code === JetStreamApiCodes.ConsumerNotFound)
  );
}

function streamConfig(def: StreamDefinition, replicas: number): Partial<StreamConfig> & { name: string } {
  return {
    name: def.name,
    subjects: def.subjects,
    retention: def.retention === 'workqueue' ? RetentionPolicy.Workqueue : RetentionPolicy.Limits,
    storage: StorageType.File,
    max_age: nanos(def.maxAgeSeconds * 1000),
    duplicate_window: nanos(def.duplicateWindowSeconds * 1000),
    num_replicas: replicas,
  };
}

/**
 * Creates each stream or brings its configuration in line. nats-server 2.9 does not tell create
 * from update, so the existing configuration is compared field by field.
 */
export async function ensureStream(
  jsm: JetStreamManager,
  def: StreamDefinition,
  replicas = 1,
): Promise<ProvisionResult> {
  const wanted = streamConfig(def, replicas);
  try {
    const { config } = await jsm.streams.info(def.name);
    const same =
      JSON.stringify([...config.subjects].sort()) === JSON.stringify([...def.subjects].sort()) &&
      config.max_age === wanted.max_age &&
      config.duplicate_window === wanted.duplicate_window &&
      config.num_replicas === wanted.num_replicas;
    if (same) return 'unchanged';
    await jsm.streams.update(def.name, { ...config, ...wanted });
    return 'updated';
  } catch (error) {
    if (!isNotFound(error)) throw error;
    await jsm.streams.add(wanted);
    return 'created';
  }
}

function consumerConfig(def: ConsumerDefinition): Partial<ConsumerConfig> & { durable_name: string } {
  return {
    durable_name: def.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: def.filterSubject,
    ack_wait: nanos((def.ackWaitSeconds ?? 10) * 1000),
    max_ack_pending: def.maxAckPending ?? 1000,
    // Redelivery is bounded by the transport, which dead-letters with a reason; a server-side
    // limit would silently stop delivering a message whose last attempt crashed the process.
    max_deliver: -1,
  };
}

export async function ensureConsumer(
  jsm: JetStreamManager,
  def: ConsumerDefinition,
): Promise<ProvisionResult> {
  const wanted = consumerConfig(def);
  try {
    const { config } = await jsm.consumers.info(def.stream, def.durable);
    const same =
      config.filter_subject === wanted.filter_subject &&
      config.ack_wait === wanted.ack_wait &&
      config.max_ack_pending === wanted.max_ack_pending &&
      config.max_deliver === wanted.max_deliver;
    if (same) return 'unchanged';
    await jsm.consumers.update(def.stream, def.durable, {
      filter_subject: wanted.filter_subject,
      ack_wait: wanted.ack_wait,
      max_ack_pending: wanted.max_ack_pending,
      max_deliver: wanted.max_deliver,
    });
    return 'updated';
  } catch (error) {
    if (!isNotFound(error)) throw error;
    await jsm.consumers.add(def.stream, wanted);
    return 'created';
  }
}
