import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { CONTENT_KEYS_BUCKET, StreamNames } from '@parley/contracts';
import {
  NatsAuthorization,
  ParleySystem,
  SERVICE_NAMES,
  ServiceName,
  startNats,
  TEST_ADMIN_TOKEN,
  TestNats,
  waitFor,
} from '@parley/testing';
import { clientOf, newCustomer, openConversation } from './support/actors';

const ROOT = resolve(__dirname, '..');

/** The users and permissions deployed on Kubernetes and with compose, read from the file they include. */
const AUTHORIZATION = readFileSync(join(ROOT, 'deploy/base/nats/authorization.conf'), 'utf8');
const USERS = [...SERVICE_NAMES, 'operator'] as const;
type User = (typeof USERS)[number];
const passwordOf = (user: User) => `${user}-test-password-0123456789`;
const authorization: NatsAuthorization = {
  config: AUTHORIZATION,
  env: Object.fromEntries(USERS.map((user) => [`NATS_${user.toUpperCase()}_PASSWORD`, passwordOf(user)])),
  probe: { user: 'operator', pass: passwordOf('operator') },
};

/**
 * NATS lets each service act only as itself: a pod that holds the gateway's password can send
 * commands but cannot make up events. The broker runs the deployed authorization block; the whole
 * system then runs on it, each service as its own user, to show those permissions are enough.
 */
describe('NATS users and their permissions (deploy/base/nats/authorization.conf)', () => {
  let nats: TestNats;
  let system: ParleySystem;
  const connections: NatsConnection[] = [];

  /** A connection as `user`, and the subjects the broker refused it, as it reported them. */
  const connectAs = async (user: User) => {
    const nc = await connect({ servers: nats.url, user, pass: passwordOf(user) });
    connections.push(nc);
    const refused: string[] = [];
    void (async () => {
      for await (const status of nc.status())
        if (status.type === 'error' && /Permissions Violation/i.test(String(status.error)))
          refused.push(String(status.error));
    })();
    return { nc, refused };
  };

  /** Publishes once and tells whether the broker refused it, as a permissions violation. */
  const refusedPublish = async (user: User, subject: string): Promise<boolean> => {
    const { nc, refused } = await connectAs(user);
    nc.publish(subject, JSON.stringify({ id: 'forged' }));
    await nc.flush();
    // The violation comes back asynchronously; a publish that was let through is stored instead.
    return waitFor(
      `the broker's verdict on ${user} publishing to ${subject}`,
      async () => (refused.some((r) => r.includes(subject)) ? true : undefined),
      1_500,
      50,
    ).catch(() => false);
  };

  beforeAll(async () => {
    nats = await startNats(authorization);
    const serviceEnv: Partial<Record<ServiceName, Record<string, string>>> = {};
    for (const name of SERVICE_NAMES) serviceEnv[name] = { NATS_USER: name, NATS_PASSWORD: passwordOf(name) };
    system = await ParleySystem.start({}, { broker: nats, serviceEnv });
  }, 180_000);

  afterAll(async () => {
    for (const nc of connections) await nc.close();
    await system?.stop();
    await nats?.stop();
  });

  it('lets every service do its work as its own user', async () => {
    const customer = await newCustomer(system);
    const { id } = await openConversation(system, customer, { body: 'sent through a locked-down broker' });
    await waitFor('the message in history', async () => {
      const { data } = await clientOf(system, customer).GET('/v1/conversations/{id}/messages', {
        params: { path: { id } },
      });
      return data?.items.length === 1;
    });
    // An erasure reaches every service and comes back confirmed by each (ADR 14).
    const erased = await system.api('DELETE', `/v1/customers/${customer.id}`, { token: TEST_ADMIN_TOKEN });
    expect(erased.status).toBe(202);
    await waitFor('the erasure confirmed by every store', async () => {
      const res = await system.api('GET', erased.body.certificateUrl, { token: TEST_ADMIN_TOKEN });
      return res.body.completedAt ? true : undefined;
    });
  }, 60_000);

  it('refuses the gateway’s user an event, and takes its command', async () => {
    const { nc } = await connectAs('operator');
    const events = async () =>
      (await (await jetstreamManager(nc)).streams.info(StreamNames.events)).state.messages;
    const before = await events();
    expect(await refusedPublish('gateway', 'parley.evt.0.message.created')).toBe(true);
    expect(await events()).toBe(before);

    const { nc: gateway, refused } = await connectAs('gateway');
    const ack = await (
      await jetstreamManager(gateway)
    )
      .jetstream()
      .publish('parley.cmd.0.conversation.agent.presence', JSON.stringify({ principal: null }));
    expect(ack.stream).toBe(StreamNames.commands);
    expect(refused).toEqual([]);
  });

  it('refuses conversation’s user a command it does not issue, and history’s user any event', async () => {
    expect(await refusedPublish('conversation', 'parley.cmd.0.conversation.message.post')).toBe(true);
    expect(await refusedPublish('conversation', 'parley.evt.0.message.created')).toBe(false);
    expect(await refusedPublish('history', 'parley.evt.0.receipt.read')).toBe(true);
    expect(await refusedPublish('delivery', 'parley.evt.0.message.created')).toBe(true);
  });

  it('lets the services that seal content or destroy keys write content keys, and history only read them', async () => {
    const forged = `$KV.${CONTENT_KEYS_BUCKET}.conversation.forged`;
    expect(await refusedPublish('history', forged)).toBe(true);
    const writers = ['gateway', 'conversation', 'delivery', 'mail'] as const;
    const verdicts = await Promise.all(writers.map((user) => refusedPublish(user, `${forged}-${user}`)));
    expect(verdicts).toEqual(writers.map(() => false));
    // Every service watches the bucket, to forget a destroyed key at once.
    const { nc, refused } = await connectAs('history');
    nc.subscribe(`$KV.${CONTENT_KEYS_BUCKET}.>`);
    await nc.flush();
    expect(refused).toEqual([]);
  });

  it('lets no one in without a password', async () => {
    await expect(connect({ servers: nats.url, reconnect: false })).rejects.toThrow(/Authorization/i);
  });
});
