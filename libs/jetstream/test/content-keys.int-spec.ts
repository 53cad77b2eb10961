/**
 * Content keys against a real nats-server, from two connections (two processes, as far as the
 * broker can tell): racing processes agree on one key per scope, a destroyed key stops opening in
 * every process within seconds and its message is gone from the bucket's stream, and a scope never
 * silently gets its destroyed key back.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { jetstream, jetstreamManager, JetStreamManager } from '@nats-io/jetstream';
import { NatsConnection } from '@nats-io/nats-core';
import { SecretBox } from '@parley/secrets';
import { startNats, TestNats } from '@parley/testing';
import { connectToNats, ContentErased, ContentKeyStore, ContentScope, ensureContentKeyBucket } from '../src';

const BUCKET = 'test-content-keys';
const STREAM = `KV_${BUCKET}`;
const keyRing = SecretBox.fromKeyRing(`k1:${randomBytes(32).toString('base64')}`, 'PARLEY_CONTENT_KEY');

async function eventually(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('ContentKeyStore', () => {
  let nats: TestNats;
  let connections: NatsConnection[];
  let stores: ContentKeyStore[];
  let jsm: JetStreamManager;

  beforeAll(async () => {
    nats = await startNats();
    connections = [await connectToNats(nats.url, 'keys-a'), await connectToNats(nats.url, 'keys-b')];
    jsm = await jetstreamManager(connections[0]);
    // Made twice, as two processes starting together would: the second finds the bucket as wanted.
    await ensureContentKeyBucket(jsm, { bucket: BUCKET });
    await ensureContentKeyBucket(await jetstreamManager(connections[1]), { bucket: BUCKET });
    stores = connections.map((nc) => new ContentKeyStore(nc, keyRing, BUCKET, 2_000));
  });

  afterAll(async () => {
    for (const store of stores ?? []) store.close();
    await Promise.all(connections?.map((nc) => nc.close()) ?? []);
    await nats?.stop();
  });

  const conversation = (): ContentScope => ({ kind: 'conversation', id: randomUUID() });

  it('gives processes racing for a new scope one and the same key, kept sealed in the bucket', async () => {
    const scope = conversation();
    const keys = await Promise.all(Array.from({ length: 20 }, (_, i) => stores[i % 2].sealingKey(scope)));
    expect(new Set(keys.map((k) => k.key.toString('hex'))).size).toBe(1);
    expect(keys[0]).toMatchObject({ generation: 1 });
    expect(keys[0].key).toHaveLength(32);
    const stored = await jsm.streams.getMessage(STREAM, {
      last_by_subj: `$KV.${BUCKET}.conversation.${scope.id}`,
    });
    expect(stored?.string()).not.toContain(keys[0].key.toString('base64'));
    expect(await stores[1].openingKey(scope, 1)).toEqual(keys[0].key);
    expect(await stores[1].openingKey(scope, 2)).toBeUndefined();
  });

  it('destroys a key for every process within seconds, erasing its message, and never gives it back', async () => {
    const scope = conversation();
    const { key } = await stores[0].sealingKey(scope);
    expect(await stores[1].openingKey(scope, 1)).toEqual(key);
    const subject = `$KV.${BUCKET}.conversation.${scope.id}`;
    const keyMessage = (await jsm.streams.getMessage(STREAM, { last_by_subj: subject }))?.seq ?? 0;
    expect(keyMessage).toBeGreaterThan(0);

    await stores[0].destroy([scope]);

    await eventually(async () => (await stores[1].openingKey(scope, 1)) === undefined);
    expect(await stores[0].openingKey(scope, 1)).toBeUndefined();
    expect(await jsm.streams.getMessage(STREAM, { seq: keyMessage })).toBeNull();
    const tombstone = await jsm.streams.getMessage(STREAM, { last_by_subj: subject });
    expect(tombstone?.json()).toEqual({ generation: 1, destroyed: true, keyMessage });
    await expect(stores[1].sealingKey(scope)).rejects.toThrow(ContentErased);
    await expect(stores[0].sealingKey(scope)).rejects.toThrow(ContentErased);

    await stores[1].destroy([scope]);
    expect((await jsm.streams.getMessage(STREAM, { last_by_subj: subject }))?.seq).toBe(tombstone?.seq);
  });

  it('refuses content for a conversation destroyed before it ever had a key', async () => {
    const scope = conversation();
    await stores[0].destroy([scope]);
    await expect(stores[1].sealingKey(scope)).rejects.toThrow(ContentErased);
    expect(await stores[1].openingKey(scope, 1)).toBeUndefined();
  });

  it('gives a customer who comes back a key of a later generation, which never opens what came before', async () => {
    const customer: ContentScope = { kind: 'customer', id: 'site-1:ext/äöü 1' };
    const first = await stores[0].sealingKey(customer);
    await stores[1].destroy([customer, conversation()]);
    await eventually(async () => (await stores[0].openingKey(customer, first.generation)) === undefined);
    const next = await stores[0].sealingKey(customer);
    expect(next.generation).toBe(first.generation + 1);
    expect(next.key).not.toEqual(first.key);
    expect(await stores[1].openingKey(customer, next.generation)).toEqual(next.key);
    expect(await stores[1].openingKey(customer, first.generation)).toBeUndefined();
  });

  it('trusts a key it read for 30 seconds at most, even when it missed the destroying write', async () => {
    const scope = conversation();
    const deaf = new ContentKeyStore(connections[0], keyRing, BUCKET, 2_000);
    const { key } = await deaf.sealingKey(scope);
    expect(await deaf.openingKey(scope, 1)).toEqual(key);
    deaf.close(); // stops watching: the destroy below goes unseen
    await stores[1].destroy([scope]);
    expect(await deaf.openingKey(scope, 1)).toEqual(key);
    const now = Date.now();
    const later = jest.spyOn(Date, 'now').mockReturnValue(now + 30_001);
    try {
      expect(await deaf.openingKey(scope, 1)).toBeUndefined();
    } finally {
      later.mockRestore();
    }
  });

  it('refuses a stored key moved to another scope', async () => {
    const [a, b] = [conversation(), conversation()];
    await stores[0].sealingKey(a);
    const stored = await jsm.streams.getMessage(STREAM, {
      last_by_subj: `$KV.${BUCKET}.conversation.${a.id}`,
    });
    await jetstream(connections[0]).publish(`$KV.${BUCKET}.conversation.${b.id}`, stored?.data ?? '');
    await expect(stores[1].openingKey(b, 1)).rejects.toThrow();
  });
});
