import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { ParleySystem, startNats, TestNats } from '@parley/testing';
import { clientOf, newCustomer, openConversation } from './support/actors';

/** Two installations on one NATS server, told apart by PARLEY_NAMESPACE. */
describe('two installations sharing one NATS server', () => {
  let broker: TestNats;
  let parley: ParleySystem;
  let acme: ParleySystem;

  beforeAll(async () => {
    broker = await startNats();
    parley = await ParleySystem.start({}, { broker });
    acme = await ParleySystem.start({ PARLEY_NAMESPACE: 'acme' }, { broker });
  }, 240_000);

  afterAll(async () => {
    await acme?.stop();
    await parley?.stop();
    await broker?.stop();
  });

  async function withJsm<T>(use: (jsm: JetStreamManager) => Promise<T>): Promise<T> {
    const nc = await connect({ servers: broker.url });
    try {
      return await use(await jetstreamManager(nc));
    } finally {
      await nc.close();
    }
  }

  it('each works, and neither sees the conversations of the other', async () => {
    const inParley = await newCustomer(parley);
    const inAcme = await newCustomer(acme);
    const parleyConversation = await openConversation(parley, inParley, { body: 'from parley' });
    const acmeConversation = await openConversation(acme, inAcme, { body: 'from acme' });

    for (const [system, customer, id, body] of [
      [parley, inParley, parleyConversation.id, 'from parley'],
      [acme, inAcme, acmeConversation.id, 'from acme'],
    ] as const) {
      const api = clientOf(system, customer);
      const stored = await api.GET('/v1/conversations/{id}/messages', { params: { path: { id } } });
      expect(stored.data?.items.map((m) => m.body)).toEqual([body]);
    }
    // Both sign tokens with the test secret, so each customer is let in by the other gateway too.
    const across = await clientOf(acme, inParley).GET('/v1/conversations/{id}', {
      params: { path: { id: parleyConversation.id } },
    });
    expect(across.response.status).toBe(404);
  });

  it('keeps its own streams, subjects and durable consumers', async () => {
    const streams = await withJsm(async (jsm) => {
      const found: Record<string, { subjects: string[]; durables: string[] }> = {};
      for await (const stream of jsm.streams.list()) {
        const durables: string[] = [];
        // Each gateway process also follows token revocations with an ephemeral consumer of its own.
        for await (const consumer of jsm.consumers.list(stream.config.name))
          if (consumer.config.durable_name) durables.push(consumer.name);
        found[stream.config.name] = { subjects: stream.config.subjects, durables: durables.sort() };
      }
      return found;
    });

    const kinds = ['COMMANDS', 'DEAD_LETTERS', 'EVENTS', 'WEBHOOKS'];
    // Besides the four streams, each installation's gateways count rate limits in a bucket of its own,
    // its services keep content keys in another, and attachments and customer exports in object
    // stores of their own.
    expect(Object.keys(streams).sort()).toEqual(
      [
        ...kinds.map((k) => `ACME_${k}`),
        ...kinds.map((k) => `PARLEY_${k}`),
        'KV_acme-rate-limits',
        'KV_parley-rate-limits',
        'KV_acme-content-keys',
        'KV_parley-content-keys',
        'OBJ_acme-attachments',
        'OBJ_parley-attachments',
        'OBJ_acme-exports',
        'OBJ_parley-exports',
      ].sort(),
    );
    expect(streams['KV_acme-rate-limits'].subjects).toEqual(['$KV.acme-rate-limits.>']);
    for (const kind of kinds) {
      expect(streams[`PARLEY_${kind}`].subjects.every((s) => s.startsWith('parley.'))).toBe(true);
      expect(streams[`ACME_${kind}`].subjects.every((s) => s.startsWith('acme.'))).toBe(true);
      // Each installation made the same durables in its own streams.
      expect(streams[`ACME_${kind}`].durables).toEqual(streams[`PARLEY_${kind}`].durables);
    }
    expect(streams.ACME_COMMANDS.durables).toContain('conversation-p0');
  });
});
