import type { NatsConnection } from '@nats-io/nats-core';
import { Objm, type ObjectStore } from '@nats-io/obj';
import { StorageType } from '@nats-io/jetstream';

export interface ObjectBucketOptions {
  /** The bucket's name (letters, digits, `-`, `_`); its stream is `OBJ_<bucket>`. */
  bucket: string;
  replicas?: number;
}

/**
 * Opens a JetStream object store, creating its stream when missing (file storage, replicated like
 * the streams). Two processes starting together both try: the second add finds an identical
 * stream and succeeds. The object store keeps its data on the broker, chunked, with a SHA-256
 * digest per object, and is there on nats-server 2.9.
 */
export function openObjectBucket(
  nc: NatsConnection,
  { bucket, replicas = 1 }: ObjectBucketOptions,
): Promise<ObjectStore> {
  return new Objm(nc).create(bucket, { storage: StorageType.File, replicas });
}
