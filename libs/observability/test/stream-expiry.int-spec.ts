/**
 * The expiry watch against a real nats-server: it finds every durable of a stream without being
 * told their names, reports the age of each one's oldest unacknowledged message (delivered or not,
 * of its own filter only) and the stream's retention, and reports 0 once everything is acked.
 */
import {
  AckPolicy,
  DeliverPolicy,
  JetStreamClient,
  JetStreamManager,
  JsMsg,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { startNats, TestNats } from '@parley/testing';
import { registry, StreamExpiryWatch, watchStreamExpiry } from '../src';

const STREAM = 'EXPIRY_TEST';
const MAX_AGE_SECONDS = 3_600;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The gauge's values by label set, as a scrape would read them. */
async function gauge(name: string): Promise<Record<string, number>> {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`${name} is not registered`);
  const { values } = await metric.get();
  return Object.fromEntries(
    values.map((v) => [
      Object.entries(v.labels)
        .map(([k, l]) => `${k}=${l}`)
        .join(','),
      v.value,
    ]),
  );
}

const ageOf = async (consumer: string) =>
  (await gauge('parley_consumer_oldest_pending_age_seconds'))[`stream=${STREAM},consumer=${consumer}`];

describe('watchStreamExpiry', () => {
  let nats: TestNats;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let js: JetStreamClient;
  let watch: StreamExpiryWatch | undefined;

  beforeAll(async () => {
    nats = await startNats();
    nc = await connect({ servers: nats.url });
    jsm = await jetstreamManager(nc);
    js = jetstream(nc);
    await jsm.streams.add({
      name: STREAM,
      subjects: ['expiry.>'],
      max_age: MAX_AGE_SECONDS * 1e9,
    });
    for (const durable of ['orders', 'audit', 'idle'])
      await jsm.consumers.add(STREAM, {
        durable_name: durable,
        filter_subject: `expiry.${durable}.>`,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
      });
  });

  afterEach(() => watch?.stop());

  afterAll(async () => {
    await nc?.close();
    await nats?.stop();
  });

  it('reports the age of each durable’s oldest unacked message, growing, and 0 once acked', async () => {
    // audit: one message, never delivered; then, later, three for orders, delivered and left unacked.
    await js.publish('expiry.audit.1', 'a');
    await sleep(1_500);
    const ordersPublishedAt = Date.now();
    await js.publish('expiry.orders.1', 'o1');
    await sleep(500);
    await js.publish('expiry.orders.2', 'o2');
    await js.publish('expiry.orders.3', 'o3');
    const held: JsMsg[] = [];
    const batch = await (await js.consumers.get(STREAM, 'orders')).fetch({ max_messages: 3, expires: 2_000 });
    for await (const m of batch) held.push(m);
    expect(held.map((m) => m.subject)).toEqual(['expiry.orders.1', 'expiry.orders.2', 'expiry.orders.3']);

    watch = watchStreamExpiry(jsm, { streams: [STREAM, 'NO_SUCH_STREAM'], intervalMs: 60_000 });
    await watch.refresh();

    expect(await gauge('parley_stream_max_age_seconds')).toEqual({ [`stream=${STREAM}`]: MAX_AGE_SECONDS });
    const ages = await gauge('parley_consumer_oldest_pending_age_seconds');
    // Every durable is found by listing, the one with nothing outstanding at 0.
    expect(Object.keys(ages).sort()).toEqual(
      ['audit', 'idle', 'orders'].map((c) => `stream=${STREAM},consumer=${c}`),
    );
    expect(ages[`stream=${STREAM},consumer=idle`]).toBe(0);
    const orders = ages[`stream=${STREAM},consumer=orders`];
    const audit = ages[`stream=${STREAM},consumer=audit`];
    // orders' oldest is its first message, not audit's older one above its ack floor.
    expect(orders).toBeGreaterThan(0.4);
    expect(orders).toBeLessThanOrEqual((Date.now() - ordersPublishedAt) / 1000 + 0.05);
    expect(audit).toBeGreaterThanOrEqual(orders + 1.4);

    await sleep(1_000);
    await watch.refresh();
    expect(await ageOf('orders')).toBeGreaterThanOrEqual(orders + 0.9);

    // The first one acked: the oldest unacked is now the second, published half a second later.
    await held[0].ackAck();
    await watch.refresh();
    const afterFirstAck = await ageOf('orders');
    expect(afterFirstAck).toBeGreaterThan(0);
    expect(afterFirstAck).toBeLessThanOrEqual((Date.now() - ordersPublishedAt) / 1000 - 0.4);

    for (const m of held.slice(1)) await m.ackAck();
    await watch.refresh();
    expect(await ageOf('orders')).toBe(0);
    expect(await ageOf('audit')).toBeGreaterThan(2);
  });

  it('finds the oldest message past deleted sequences, and withdraws its readings when stopped', async () => {
    await jsm.consumers.add(STREAM, {
      durable_name: 'late',
      filter_subject: 'expiry.late.>',
      ack_policy: AckPolicy.Explicit,
    });
    const first = await js.publish('expiry.late.1', 'l1');
    await sleep(1_000);
    await js.publish('expiry.late.2', 'l2');
    await jsm.streams.deleteMessage(STREAM, first.seq);

    watch = watchStreamExpiry(jsm, { streams: [STREAM], intervalMs: 60_000 });
    await watch.refresh();
    const age = await ageOf('late');
    expect(age).toBeGreaterThan(0);
    expect(age).toBeLessThan(0.9);

    watch.stop();
    expect(await gauge('parley_consumer_oldest_pending_age_seconds')).toEqual({});
    expect(await gauge('parley_stream_max_age_seconds')).toEqual({});
  });
});
