import { nanos, type NatsConnection } from '@nats-io/nats-core';
import { Objm, type ObjectStore } from '@nats-io/obj';
import { StorageType } from '@nats-io/jetstream';
import { EXPORT_MAX_AGE_DAYS, exportsBucket } from '@parley/contracts';

export interface ObjectBucketOptions {
  /** The bucket's name (letters, digits, `-`, `_`); its stream is `OBJ_<bucket>`. */
  bucket: string;
  replicas?: number;
  /** How long an object is kept, in seconds; kept until deleted when absent. */
  maxAgeSeconds?: number;
}

/**
 * Opens a JetStream object store, creating its stream when missing (file storage, replicated like
 * the streams). Two processes starting together both try: the second add finds an identical
 * stream and succeeds. The object store keeps its data on the broker, chunked, with a SHA-256
 * digest per object, and is there on nats-server 2.9.
 */
export function openObjectBucket(
  nc: NatsConnection,
  { bucket, replicas = 1, maxAgeSeconds }: ObjectBucketOptions,
): Promise<ObjectStore> {
  return new Objm(nc).create(bucket, {
    storage: StorageType.File,
    replicas,
    ...(maxAgeSeconds && { ttl: nanos(maxAgeSeconds * 1000) }),
  });
}

/**
 * The exports' object store (`exportsBucket()`): every service that writes a part of a customer's
 * export, and the gateway that reads them, open it with the same settings, objects expiring after
 * `EXPORT_MAX_AGE_DAYS`.
 */
export function openExportsBucket(nc: NatsConnection, replicas = 1): Promise<ObjectStore> {
  return openObjectBucket(nc, {
    bucket: exportsBucket(),
    replicas,
    maxAgeSeconds: EXPORT_MAX_AGE_DAYS * 24 * 60 * 60,
  });
}
