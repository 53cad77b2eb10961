/**
 * The publisher against a real nats-server: publishes asked for together are sent together (one
 * socket write at the end of the event loop's turn), and each still resolves with its own ack.
 */
import { jetstreamManager, JetStreamManager } from '@nats-io/jetstream';
import { NatsConnection } from '@nats-io/nats-core';
import { startNats, TestNats } from '@parley/testing';
import { DEFAULT_PARTITIONS } from '@parley/contracts';
import { SecretBox } from '@parley/secrets';
import {
  BrokerUnavailable,
  connectToNats,
  ContentKeyStore,
  ContentSeal,
  ensureStream,
  JetStreamPublisher,
} from '../src';

const STREAM = {
  name: 'TEST_PUBLISHED',
  subjects: ['test.published.>'],
  maxAgeSeconds: 3_600,
  duplicateWindowSeconds: 120,
};

describe('JetStreamPublisher', () => {
  let nats: TestNats;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let publisher: JetStreamPublisher;

  beforeAll(async () => {
    nats = await startNats();
    nc = await connectToNats(nats.url, 'publisher-test');
    jsm = await jetstreamManager(nc);
    await ensureStream(jsm, STREAM);
    // These subjects carry no content: no key is ever asked for.
    const keys = new ContentKeyStore(
      nc,
      SecretBox.fromKeyRing(`k:${Buffer.alloc(32).toString('base64')}`),
      'unused',
    );
    publisher = new JetStreamPublisher(nc, DEFAULT_PARTITIONS, new ContentSeal(keys));
  });

  afterAll(async () => {
    await nc?.close();
    await nats?.stop();
  });

  it('stores publishes asked for in the same turn in the order they were asked, each acked once, and acks a repeated id as a duplicate', async () => {
    const ids = Array.from({ length: 300 }, (_, i) => `same-turn-${i}`);
    const acks = await Promise.all([
      ...ids.map((id, i) => publisher.publish('test.published.a', { id, i }, id)),
      publisher.publish('test.published.a', { id: ids[7], i: 7 }, ids[7]),
    ]);

    const stored = acks.slice(0, ids.length);
    expect(stored.every((a) => !a.duplicate)).toBe(true);
    expect(stored.map((a) => a.seq)).toEqual(stored.map((_, i) => stored[0].seq + i));
    expect(acks[ids.length]).toMatchObject({ duplicate: true, seq: stored[7].seq });

    const info = await jsm.streams.info(STREAM.name);
    expect(info.state.messages).toBe(ids.length);
    const last = await jsm.streams.getMessage(STREAM.name, { seq: stored[ids.length - 1].seq });
    expect(last?.json()).toEqual({ id: ids[ids.length - 1], i: ids.length - 1 });
  });

  it('rejects every publish of a turn with BrokerUnavailable when no stream takes the subject', async () => {
    const outcomes = await Promise.allSettled([
      publisher.publish('test.nowhere.a', { n: 1 }, 'nowhere-1'),
      publisher.publish('test.nowhere.b', { n: 2 }, 'nowhere-2'),
    ]);
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected');
      expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(BrokerUnavailable);
    }
  });
});
