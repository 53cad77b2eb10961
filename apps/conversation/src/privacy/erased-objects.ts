import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { Objm, type ObjectStore } from '@nats-io/obj';

/** The subject of an object's metadata: `$O.<bucket>.M.<name in padded base64url>`, as nats.js names it. */
function metaSubject(bucket: string, name: string): string {
  const encoded = Buffer.from(name, 'utf8').toString('base64url');
  return `$O.${bucket}.M.${encoded}${'='.repeat((4 - (encoded.length % 4)) % 4)}`;
}

/**
 * Deletes objects of a JetStream object store for good. The object store's own delete purges the
 * chunks but leaves a deletion marker that still carries the object's metadata (an attachment's file
 * name, say), so the metadata subject is purged too. Answers how many objects were there.
 */
export async function eraseObjects(
  nc: NatsConnection,
  store: ObjectStore,
  bucket: string,
  names: string[],
): Promise<number> {
  const jsm = await jetstreamManager(nc);
  let erased = 0;
  for (const name of names) {
    if ((await store.delete(name)).success) erased++;
    await jsm.streams.purge(`OBJ_${bucket}`, { filter: metaSubject(bucket, name) });
  }
  return erased;
}

/** The names in the bucket that start with `prefix`, deleted ones included; none when there is no bucket. */
export async function objectsNamed(
  nc: NatsConnection,
  bucket: string,
  prefix: string,
): Promise<{ store?: ObjectStore; names: string[] }> {
  let store: ObjectStore;
  try {
    store = await new Objm(nc).open(bucket);
  } catch {
    // No bucket (nothing was ever exported): nothing to erase.
    return { names: [] };
  }
  const names = (await store.list()).map((info) => info.name).filter((name) => name.startsWith(prefix));
  return { store, names };
}
