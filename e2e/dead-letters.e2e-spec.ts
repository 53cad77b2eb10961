import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { ParleySystem, TEST_ADMIN_TOKEN, waitFor } from '@parley/testing';
import { Actor, clientOf, newCustomer, openConversation } from './support/actors';

interface Letter {
  id: string;
  consumer: string;
  reason: string;
  originalSubject: string;
  originalSequence: number;
  payload: string;
}

/** A poison message published straight to a stream lands in the dead letters; nothing stops. */
describe('dead letters', () => {
  let system: ParleySystem;
  let nc: NatsConnection;
  let customer: Actor;

  const letters = async (): Promise<Letter[]> => {
    const { data, response } = await clientOf(system, TEST_ADMIN_TOKEN).GET('/v1/admin/dead-letters', {
      params: { query: { limit: 200 } },
    });
    expect(response.status).toBe(200);
    return data?.items ?? [];
  };

  beforeAll(async () => {
    system = await ParleySystem.start();
    nc = await connect({ servers: system.nats.url });
    customer = await newCustomer(system);
  }, 120_000);

  afterAll(async () => {
    await nc?.close();
    await system?.stop();
  });

  it('lists poison with its reason and origin, keeps consuming, and replays on request', async () => {
    const js = (await jetstreamManager(nc)).jetstream();
    // Partition 0's durables: poison lands in one partition and holds up no other.
    const notJson = await js.publish('parley.cmd.0.conversation.message.post', 'this is not json');
    const invalid = await js.publish(
      'parley.evt.0.message.created',
      JSON.stringify({ id: 'x', type: 'message.created' }),
    );

    // The consumers keep going: a normal conversation still flows through every service.
    const opened = await openConversation(system, customer, { body: 'still working' });
    await waitFor('the conversation in history', async () => {
      const { data } = await clientOf(system, customer).GET('/v1/conversations/{id}/messages', {
        params: { path: { id: opened.id } },
      });
      return data?.items.length === 1;
    });

    const found = await waitFor('the dead letters', async () => {
      const all = await letters();
      return all.length >= 4 ? all : undefined;
    });
    const bySource = found.map((l) => [l.consumer, l.originalSubject, l.originalSequence]).sort();
    expect(bySource).toEqual(
      [
        ['conversation-p0', 'parley.cmd.0.conversation.message.post', notJson.seq],
        ['history-commands-p0', 'parley.cmd.0.conversation.message.post', notJson.seq],
        ['history-p0', 'parley.evt.0.message.created', invalid.seq],
        ['delivery-p0', 'parley.evt.0.message.created', invalid.seq],
        ['mail-p0', 'parley.evt.0.message.created', invalid.seq],
      ].sort(),
    );
    expect(found.find((l) => l.consumer === 'conversation-p0')?.reason).toContain('not JSON');
    expect(found.find((l) => l.consumer === 'history-p0')?.reason).toMatch(
      /invalid DomainEvent: .*occurredAt/,
    );
    expect(found.find((l) => l.consumer === 'delivery-p0')?.payload).toContain('"type":"message.created"');

    const letter = found.find((l) => l.consumer === 'conversation-p0') as Letter;
    const admin = clientOf(system, TEST_ADMIN_TOKEN);
    const replay = await admin.POST('/v1/admin/dead-letters/{id}/replay', {
      params: { path: { id: letter.id } },
    });
    expect(replay.response.status).toBe(202);
    expect(replay.data?.subject).toBe('parley.cmd.0.conversation.message.post');
    // Still poison: it comes back as a new dead letter, and the replayed one is gone from the list.
    const after = await waitFor('the replayed letter back', async () => {
      const all = await letters();
      return all.filter((l) => l.payload === 'this is not json').length >= 3 ? all : undefined;
    });
    expect(after.some((l) => l.id === letter.id)).toBe(false);

    expect(
      (await admin.POST('/v1/admin/dead-letters/{id}/replay', { params: { path: { id: '999999' } } }))
        .response.status,
    ).toBe(404);
    expect(
      (await admin.POST('/v1/admin/dead-letters/{id}/replay', { params: { path: { id: 'abc' } } })).response
        .status,
    ).toBe(400);
    expect((await clientOf(system, customer).GET('/v1/admin/dead-letters')).response.status).toBe(403);
  }, 60_000);
});
