import { randomUUID } from 'node:crypto';
import { jetstreamManager, JetStreamManager, StoredMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { CONTENT_KEYS_BUCKET } from '@parley/contracts';
import { ContentKeyDestroyed, ContentKeyStore, ContentSeal, SEALED_CONTENT_HEADER } from '@parley/jetstream';
import { SecretBox } from '@parley/secrets';
import { ParleySystem, TEST_ADMIN_TOKEN, TEST_CONTENT_KEY, waitFor } from '@parley/testing';
import { Actor, answer, clientOf, newAgent, openConversation, setPresence } from './support/actors';

const WAIT = { prefer: 'wait=10' };

/**
 * Customer content in the streams (ADR 13): every copy JetStream keeps, commands, events, dead
 * letters and the rest, read raw with a JetStream client, holds it sealed under the customer's or
 * the conversation's key; destroying those keys erases every copy: consumers skip what was sealed
 * under them and nothing opens it any more.
 */
describe('content keys: stream copies of customer content', () => {
  let system: ParleySystem;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let keys: ContentKeyStore;
  let agent: Actor;
  let customer: Actor;
  let conversationId: string;
  const marker = `marker${randomUUID().replaceAll('-', '')}`;

  /** Every message of every stream on the broker, as stored. */
  async function everyStoredMessage(): Promise<StoredMsg[]> {
    const stored: StoredMsg[] = [];
    for await (const stream of jsm.streams.list()) {
      const { first_seq, last_seq, messages } = stream.state;
      for (let seq = first_seq; messages > 0 && seq <= last_seq; seq++) {
        const m = await jsm.streams.getMessage(stream.config.name, { seq });
        if (m) stored.push(m);
      }
    }
    return stored;
  }

  const inClear = (messages: StoredMsg[]) =>
    messages.filter((m) => m.string().includes(marker) || m.subject.includes(marker));

  beforeAll(async () => {
    system = await ParleySystem.start();
    nc = await connect({ servers: system.nats.url });
    jsm = await jetstreamManager(nc);
    keys = new ContentKeyStore(
      nc,
      SecretBox.fromKeyRing(TEST_CONTENT_KEY, 'PARLEY_CONTENT_KEY'),
      CONTENT_KEYS_BUCKET,
    );
    agent = await newAgent(system, { capacity: 10 });
    await setPresence(system, agent, 'online');
  }, 180_000);

  afterAll(async () => {
    keys?.close();
    await nc?.close();
    await system?.stop();
  });

  it('keeps no message, note, customer name, rating comment or transfer note in clear in any stream', async () => {
    const registered = await answer(
      clientOf(system, TEST_ADMIN_TOKEN).POST('/v1/customers', {
        body: { externalId: `${marker}-crm`, name: `${marker} Grace`, email: `${marker}@example.com` },
        headers: WAIT,
      }),
    );
    expect(registered.status).toBe(201);
    customer = registered.body;
    const opened = await openConversation(system, customer, {
      subject: `${marker} subject`,
      body: `${marker} opening`,
    });
    conversationId = opened.id;
    const asAgent = clientOf(system, agent);
    const path = { params: { path: { id: conversationId } } };
    await waitFor('the conversation assigned to the agent', async () => {
      const got = await asAgent.GET('/v1/conversations/{id}', path);
      return got.data?.assigneeId === agent.id;
    });
    const writes = [
      await asAgent.POST('/v1/conversations/{id}/messages', {
        ...path,
        body: { body: `${marker} reply` },
        headers: WAIT,
      }),
      await asAgent.POST('/v1/conversations/{id}/notes', {
        ...path,
        body: { body: `${marker} note` },
        headers: WAIT,
      }),
      await asAgent.POST('/v1/conversations/{id}/transfer', {
        ...path,
        body: { team: 'billing', reason: `${marker} reason`, note: `${marker} transfer note` },
        headers: WAIT,
      }),
      await asAgent.POST('/v1/conversations/{id}/status', {
        ...path,
        body: { status: 'resolved' },
        headers: WAIT,
      }),
      await clientOf(system, customer).POST('/v1/conversations/{id}/rating', {
        ...path,
        body: { score: 2, comment: `${marker} comment` },
        headers: WAIT,
      }),
    ];
    expect(writes.map((w) => w.response.status)).toEqual([201, 201, 201, 200, 200]);

    // Handlers saw it all plain: history stored the reply, the note and the transfer note as written.
    const stored = await waitFor('the entries in history', async () => {
      const page = await asAgent.GET('/v1/conversations/{id}/messages', path);
      const bodies = (page.data?.items ?? []).map((m) => m.body);
      return bodies.length >= 4 ? bodies : undefined;
    });
    expect(stored).toEqual(
      expect.arrayContaining([`${marker} opening`, `${marker} reply`, `${marker} note`]),
    );

    const messages = await everyStoredMessage();
    const sealed = messages.filter((m) => m.header?.get(SEALED_CONTENT_HEADER) === '1');
    // The customer's registration, the opening, the reply, the note, the transfer and the rating:
    // each as a command and as an event.
    expect(sealed.length).toBeGreaterThanOrEqual(12);
    expect(inClear(messages).map((m) => m.subject)).toEqual([]);
  });

  it('after the keys are destroyed, consumers skip what was sealed under them, nothing opens it, and new content is refused', async () => {
    await system.services.history.stop();
    const late = await answer(
      clientOf(system, customer).POST('/v1/conversations/{id}/messages', {
        params: { path: { id: conversationId } },
        body: { body: `${marker} while history was away` },
        headers: WAIT,
      }),
    );
    expect(late.status).toBe(201);

    await keys.destroy([
      { kind: 'conversation', id: conversationId },
      { kind: 'customer', id: customer.id },
    ]);
    await system.services.history.start();

    const erased = await waitFor('history to skip the erased message and command', async () => {
      const metrics = await (await fetch(`${system.services.history.url}/metrics`)).text();
      const counted = [...metrics.matchAll(/^parley_consumer_erased_total\{[^}]*\} (\d+)/gm)];
      const total = counted.reduce((sum, [, n]) => sum + Number(n), 0);
      return total >= 2 ? total : undefined;
    });
    expect(erased).toBeGreaterThanOrEqual(2);
    const page = await clientOf(system, agent).GET('/v1/conversations/{id}/messages', {
      params: { path: { id: conversationId } },
    });
    expect(page.data?.items.map((m) => m.id)).not.toContain(late.body.id);

    const seal = new ContentSeal(keys);
    const copies = (await everyStoredMessage()).filter(
      (m) => m.header?.get(SEALED_CONTENT_HEADER) === '1' && m.string().includes(conversationId),
    );
    expect(copies.length).toBeGreaterThanOrEqual(10);
    for (const copy of copies)
      await expect(seal.open(copy.subject, copy.json(), copy.header)).rejects.toThrow(ContentKeyDestroyed);
    expect(inClear(await everyStoredMessage()).map((m) => m.subject)).toEqual([]);

    const refused = await answer(
      clientOf(system, customer).POST('/v1/conversations/{id}/messages', {
        params: { path: { id: conversationId } },
        body: { body: 'anyone there?' },
      }),
    );
    expect(refused.status).toBe(410);
  });
});
