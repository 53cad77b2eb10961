import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { jetstreamManager, JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { Client } from 'pg';
import { Webhook } from 'standardwebhooks';
import { StreamNames } from '@parley/contracts';
import { ParleySystem, ServiceProcess, TEST_ADMIN_TOKEN, waitFor } from '@parley/testing';
import { clientOf, newCustomer, openConversation } from './support/actors';

const APPLIED = { prefer: 'wait=10' };

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

/** Where `needle` appears, as `<stream>#<seq>` and `<schema>.<table>.<column>`. */
interface Sightings {
  streams: string[];
  tables: string[];
}

/**
 * A webhook's signing secret is shown once, in the answer that registers it. Everywhere else it is
 * kept sealed under PARLEY_SECRET_KEY: the command that carried it (kept in JetStream for days), a
 * dead letter of that command (kept 30 days), every row of every service. The scan reads all of
 * them; the webhook id, which travels and is stored in clear, shows that it reads what it should.
 */
describe('webhook secrets at rest', () => {
  let system: ParleySystem;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let db: Client;
  let server: Server;
  let hookUrl: string;
  let secondDelivery: ServiceProcess;
  const received: Received[] = [];

  /** Every message of every stream (data and headers), every column of every table of every schema. */
  const sightingsOf = async (needle: string): Promise<Sightings> => {
    const streams: string[] = [];
    for await (const stream of jsm.streams.list()) {
      const { name } = stream.config;
      for (let seq = stream.state.first_seq; seq <= stream.state.last_seq && stream.state.messages; seq++) {
        const message = await jsm.streams.getMessage(name, { seq }).catch(() => null);
        if (!message) continue;
        const headers = message.header ? [...message.header.keys()].map((k) => message.header.get(k)) : [];
        if ([message.string(), ...headers].some((text) => text.includes(needle)))
          streams.push(`${name}#${seq}`);
      }
    }
    const columns: Array<{ table_schema: string; table_name: string; column_name: string }> = (
      await db.query(
        `SELECT c.table_schema, c.table_name, c.column_name FROM information_schema.columns c
           JOIN information_schema.tables t USING (table_schema, table_name)
          WHERE t.table_type = 'BASE TABLE' AND c.table_schema NOT IN ('pg_catalog', 'information_schema')`,
      )
    ).rows;
    const tables: string[] = [];
    for (const { table_schema, table_name, column_name } of columns) {
      const { rows } = await db.query(
        `SELECT count(*)::int AS n FROM "${table_schema}"."${table_name}" WHERE strpos("${column_name}"::text, $1) > 0`,
        [needle],
      );
      if (rows[0].n > 0) tables.push(`${table_schema}.${table_name}.${column_name}`);
    }
    return { streams, tables };
  };

  const deadLetters = async () =>
    (
      await clientOf(system, TEST_ADMIN_TOKEN).GET('/v1/admin/dead-letters', {
        params: { query: { limit: 200 } },
      })
    ).data?.items ?? [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    // Every request and message logged (debug), to look for the secret in the logs too; two delivery
    // processes, either of which may open what the gateway sealed.
    system = await ParleySystem.start({ PARLEY_WEBHOOK_ALLOWED_NETWORKS: '127.0.0.0/8', LOG_LEVEL: 'debug' });
    secondDelivery = await system.startReplica('delivery');
    nc = await connect({ servers: system.nats.url });
    jsm = await jetstreamManager(nc);
    db = new Client({ connectionString: system.database.url });
    await db.connect();
  }, 120_000);

  afterAll(async () => {
    await db?.end();
    await nc?.close();
    server?.closeAllConnections?.();
    server?.close();
    await system?.stop();
  });

  it('are found in clear in no stream, dead letter or table, and signed deliveries verify with the one shown', async () => {
    const register = () =>
      system.api('POST', '/v1/webhooks', {
        token: TEST_ADMIN_TOKEN,
        body: { url: hookUrl, events: ['message.created'] },
        headers: { ...APPLIED, 'idempotency-key': 'secrets-at-rest' },
      });
    const created = await register();
    expect(created.status).toBe(201);
    const { id, secret } = created.body as { id: string; secret: string };
    expect(secret).toMatch(/^whsec_/);
    // A retry of the same registration shows the secret the webhook was registered with.
    expect((await register()).body).toEqual({ id, secret });

    // A delivery, signed with the secret delivery opens for it.
    const customer = await newCustomer(system);
    await openConversation(system, customer, { body: 'is this signed?' });
    const [delivered] = await waitFor('the signed delivery', async () =>
      received.length ? received : undefined,
    );
    expect(
      new Webhook(secret).verify(delivered.body, delivered.headers as Record<string, string>),
    ).toMatchObject({
      type: 'message.created',
    });

    // Its registration, dead-lettered: republished with a field delivery refuses, so a copy of the
    // command that carried the secret is kept in the dead letters too.
    const registration = await waitFor('the registration in the command stream', async () => {
      const found = await sightingsOf(id);
      return found.streams.find((s) => s.startsWith(`${StreamNames.commands}#`));
    });
    const original = await jsm.streams.getMessage(StreamNames.commands, {
      seq: Number(registration.split('#')[1]),
    });
    if (!original) throw new Error(`${registration} is gone`);
    const command = original.json<Record<string, unknown>>();
    expect(command.sealedSecret).toMatch(/^sealed\.v1\./);
    await jsm.jetstream().publish(original.subject, JSON.stringify({ ...command, events: 'all of them' }));
    await waitFor('the dead letter of the registration', async () =>
      (await deadLetters()).find((letter) => letter.payload.includes(id)),
    );

    const ofId = await sightingsOf(id);
    expect(ofId.streams.some((s) => s.startsWith(`${StreamNames.deadLetters}#`))).toBe(true);
    expect(ofId.tables).toContain('delivery.webhooks.id');
    const stored = await db.query('SELECT sealed_secret FROM delivery.webhooks WHERE id = $1', [id]);
    expect(stored.rows[0].sealed_secret).toMatch(/^sealed\.v1\./);

    const key = secret.slice('whsec_'.length);
    expect(await sightingsOf(key)).toEqual({ streams: [], tables: [] });
    // What each process logged at debug lately (the harness keeps its last few hundred writes).
    for (const service of [...Object.values(system.services), secondDelivery])
      expect(service.recentOutput(Number.MAX_SAFE_INTEGER)).not.toContain(key);
    expect(await sightingsOf(Buffer.from(key, 'base64').toString('hex'))).toEqual({
      streams: [],
      tables: [],
    });
  }, 90_000);
});
