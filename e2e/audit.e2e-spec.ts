/**
 * The audit trail (issue 26, docs/adr/0017-audit-trail.md), against the whole system with two
 * gateway and two history processes: reading a conversation in the console, a sign-in and a site's
 * settings are recorded; only admins read the trail; the export is JSON Lines; many actions at once
 * through both gateways make one valid chain; and altering a stored entry in the database, or
 * deleting one, is found by the chain check.
 */
import { jetstreamManager, JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { Browser } from 'playwright-core';
import { Client } from 'pg';
import { Durables } from '@parley/contracts';
import {
  callApi,
  CHROMIUM,
  ParleySystem,
  requirePrerequisite,
  TEST_ADMIN_TOKEN,
  waitFor,
} from '@parley/testing';
import { Actor, newCustomer, newSignedUpAgent, openConversation } from './support/actors';
import { startSystemAndBrowser } from './support/browser';

requirePrerequisite(CHROMIUM);
const UI_TIMEOUT_MS = 15_000;
const PASSWORD = 'correct horse battery staple';

interface Entry {
  id: string;
  seq: number;
  at: string;
  actor: { kind: string; id: string | null };
  action: string;
  subject: { kind: string; id: string } | null;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

interface Verification {
  valid: boolean;
  checked: number;
  firstInvalid?: { seq: number; id: string | null; reason: string };
  head: { seq: number; hash: string } | null;
}

describe('the audit trail', () => {
  let system: ParleySystem;
  let browser: Browser;
  let gateways: string[];
  let db: Client;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let turn = 0;

  /** Each call to the next gateway in turn, as a load balancer would send it. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const api = <T = any>(token: string | undefined, method: string, path: string, body?: unknown) =>
    callApi<T>(gateways[turn++ % gateways.length], method, path, {
      token,
      body,
      headers: { prefer: 'wait=10' },
    });

  const entries = async (query: string): Promise<Entry[]> => {
    const res = await api<{ items: Entry[] }>(TEST_ADMIN_TOKEN, 'GET', `/v1/audit?limit=200&${query}`);
    expect(res.status).toBe(200);
    return res.body.items;
  };

  /** The entries of `query` once one matches `wanted`. */
  const recorded = (what: string, query: string, wanted: (e: Entry) => boolean) =>
    waitFor(what, async () => {
      const found = (await entries(query)).filter(wanted);
      return found.length ? found : undefined;
    });

  const verify = async (anchor?: string): Promise<Verification> => {
    const res = await api<Verification>(
      TEST_ADMIN_TOKEN,
      'GET',
      `/v1/audit/verify${anchor ? `?anchor=${anchor}` : ''}`,
    );
    expect(res.status).toBe(200);
    return res.body;
  };

  /** Once history appended every record the gateways stored (each was, before its request was answered). */
  const appended = async (): Promise<Verification> => {
    const { stream, durable } = Durables.historyAudit;
    await waitFor('every audit record appended', async () => {
      const info = await jsm.consumers.info(stream, durable);
      return info.num_pending === 0 && info.num_ack_pending === 0;
    });
    return verify();
  };

  const agent = async (
    name: string,
    role: 'agent' | 'admin' = 'agent',
  ): Promise<Actor & { email: string }> => {
    const email = `${name.toLowerCase().replace(/\W+/g, '.')}@example.com`;
    const { id } = await newSignedUpAgent(system, { name, email, password: PASSWORD, role });
    const session = await api<{ token: string }>(undefined, 'POST', '/v1/sessions', {
      email,
      password: PASSWORD,
    });
    expect(session.status).toBe(201);
    return { id, token: session.body.token, email };
  };

  beforeAll(async () => {
    ({ system, browser } = await startSystemAndBrowser());
    const gateway = await system.startReplica('gateway');
    await system.startReplica('history');
    gateways = [system.gatewayUrl, gateway.url];
    db = new Client({ connectionString: system.database.url });
    await db.connect();
    nc = await connect({ servers: system.nats.url });
    jsm = await jetstreamManager(nc);
  }, 180_000);

  afterAll(async () => {
    await nc?.close();
    await db?.end();
    await browser?.close();
    await system?.stop();
  });

  it('records an agent reading a conversation in the console, naming the agent and the conversation', async () => {
    const grace = await agent('Grace Hopper');
    const customer = await newCustomer(system);
    const { id } = await openConversation(system, customer, { body: 'My parcel never came' });

    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${system.gatewayUrl}/console/conversations/${id}`);
      await page.getByLabel('Email').fill(grace.email);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page
        .getByRole('log', { name: 'Messages' })
        .getByText('My parcel never came', { exact: true })
        .waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    } finally {
      await context.close();
    }

    const [read] = await recorded(
      'the console’s read of the conversation',
      `subject=conversation:${id}&action=conversation.read`,
      (e) => e.actor.id === grace.id,
    );
    expect(read).toMatchObject({
      actor: { kind: 'agent', id: grace.id },
      action: 'conversation.read',
      subject: { kind: 'conversation', id },
    });
    // Reloads within a minute are one entry; nothing of what was said is in it.
    await appended();
    expect((await entries(`actor=agent:${grace.id}&subject=conversation:${id}`)).length).toBe(1);
    expect(JSON.stringify(read)).not.toContain('parcel');
    // A search is a read too: where its hits were is recorded, never the words searched for.
    const found = await api(grace.token, 'GET', `/v1/search?q=parcel&conversationId=${id}`);
    expect(found.body.items).toHaveLength(1);
    const [search] = await recorded(
      'the search',
      `actor=agent:${grace.id}&action=conversation.search`,
      () => true,
    );
    expect(search).toMatchObject({ subject: { kind: 'conversation', id }, details: { conversations: [id] } });
    expect(JSON.stringify(search)).not.toContain('parcel');

    // An admin finds it on the console's audit page, and the chain holds.
    const admin = await agent('Barbara Liskov', 'admin');
    const adminSide = await browser.newContext();
    try {
      const page = await adminSide.newPage();
      await page.goto(`${system.gatewayUrl}/console/audit`);
      await page.getByLabel('Email').fill(admin.email);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByLabel('Subject').fill(`conversation:${id}`);
      await page.getByRole('button', { name: 'Show' }).click();
      await page
        .getByRole('table', { name: 'Audit entries' })
        .getByRole('row')
        .filter({ hasText: `agent:${grace.id}` })
        .filter({ hasText: 'conversation.read' })
        .waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
      await page.getByRole('button', { name: 'Check the chain' }).click();
      await page.getByText(/The chain holds/).waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    } finally {
      await adminSide.close();
    }

    // The customer reading their own conversation is not an audited read.
    expect((await api(customer.token, 'GET', `/v1/conversations/${id}`)).status).toBe(200);
    expect((await entries(`actor=customer:${customer.id}`)).length).toBe(0);
  });

  it('records sign-ins, refused ones too, with the agent when the email is theirs, never the password', async () => {
    const ada = await agent('Ada Lovelace');
    const [signedIn] = await recorded(
      'the sign-in',
      `actor=agent:${ada.id}&action=session.sign-in`,
      () => true,
    );
    expect(signedIn.subject?.kind).toBe('session');

    const wrong = await api(undefined, 'POST', '/v1/sessions', {
      email: ada.email,
      password: 'not the password at all',
    });
    expect(wrong.status).toBe(401);
    const [refused] = await recorded(
      'the refused sign-in',
      `actor=agent:${ada.id}&action=session.sign-in-refused`,
      () => true,
    );
    expect(refused.details).toMatchObject({ reason: 'wrong-password' });
    expect(JSON.stringify(refused)).not.toContain('not the password');

    // A refresh token presented twice signs the agent out everywhere: that is recorded too.
    const session = await api(undefined, 'POST', '/v1/sessions', { email: ada.email, password: PASSWORD });
    const cookie = { cookie: session.headers.getSetCookie()[0].split(';')[0] };
    const refresh = () => callApi(gateways[0], 'POST', '/v1/sessions/refresh', { headers: cookie });
    expect((await refresh()).status).toBe(200);
    expect((await refresh()).status).toBe(401);
    const [replayed] = await recorded(
      'the replay',
      `actor=agent:${ada.id}&action=session.replayed`,
      () => true,
    );
    expect(replayed.subject?.kind).toBe('session');

    const stranger = await api(undefined, 'POST', '/v1/sessions', {
      email: 'nobody@example.com',
      password: 'guessing a password',
    });
    expect(stranger.status).toBe(401);
    const unknown = await recorded(
      'the unknown email',
      'action=session.sign-in-refused',
      (e) => e.actor.id === null,
    );
    expect(unknown[0].details).toMatchObject({ reason: 'unknown-email' });
    expect(JSON.stringify(unknown)).not.toMatch(/nobody@example\.com|guessing/);
  });

  it('records a site’s settings changed, and a customer exported and erased, by an admin', async () => {
    const site = await api<{ id: string }>(TEST_ADMIN_TOKEN, 'POST', '/v1/sites', { name: 'Shop' });
    expect(site.status).toBe(201);
    const configured = await api(TEST_ADMIN_TOKEN, 'PUT', `/v1/sites/${site.body.id}/settings`, {
      timeZone: 'Europe/Berlin',
      autoReply: 'We are closed: back tomorrow.',
    });
    expect(configured.status).toBe(200);
    const [entry] = await recorded(
      'the settings change',
      `subject=site:${site.body.id}&action=site.configure`,
      () => true,
    );
    expect(entry).toMatchObject({
      actor: { kind: 'admin', id: 'admin' },
      details: { fields: ['autoReply', 'timeZone'] },
    });
    expect(JSON.stringify(entry)).not.toContain('closed');
    expect(await entries(`subject=site:${site.body.id}&action=site.register`)).toHaveLength(1);

    // Registered before the export is asked for (with `Prefer: wait`), else it is an unknown customer.
    const { body: customer } = await api<Actor>(TEST_ADMIN_TOKEN, 'POST', '/v1/customers', {
      externalId: 'exported',
    });
    const exported = await api<{ id: string }>(
      TEST_ADMIN_TOKEN,
      'POST',
      `/v1/customers/${customer.id}/export`,
    );
    expect(exported.status).toBe(202);
    const [asked] = await recorded(
      'the export',
      `subject=customer:${customer.id}&action=customer.export`,
      () => true,
    );
    expect(asked).toMatchObject({
      actor: { kind: 'admin', id: 'admin' },
      details: { exportId: exported.body.id },
    });
    const erased = await api<{ erasureId: string }>(
      TEST_ADMIN_TOKEN,
      'DELETE',
      `/v1/customers/${customer.id}`,
    );
    expect(erased.status).toBe(202);
    const [erasure] = await recorded(
      'the erasure',
      `subject=customer:${customer.id}&action=customer.erase`,
      () => true,
    );
    expect(erasure.details).toEqual({ erasureId: erased.body.erasureId });
  });

  it('is read by admins only, and refuses bad filters with a problem', async () => {
    const agentActor = await agent('Katherine Johnson');
    const customer = await newCustomer(system);
    for (const path of ['/v1/audit', '/v1/audit/export', '/v1/audit/verify']) {
      expect((await api(agentActor.token, 'GET', path)).status).toBe(403);
      expect((await api(customer.token, 'GET', path)).status).toBe(403);
      expect((await api(undefined, 'GET', path)).status).toBe(401);
    }
    const admin = await agent('Margaret Hamilton', 'admin');
    expect((await api(admin.token, 'GET', '/v1/audit')).status).toBe(200);

    for (const query of [
      'actor=robot:1',
      'subject=conversation:a b',
      'action=DROP TABLE',
      'from=yesterday',
      'to=2026-12-01',
      'from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z',
      'limit=0',
      'cursor=-1',
      'colour=red',
    ]) {
      const res = await api(TEST_ADMIN_TOKEN, 'GET', `/v1/audit?${query}`);
      expect([query, res.status, res.headers.get('content-type')]).toEqual([
        query,
        400,
        expect.stringContaining('application/problem+json'),
      ]);
    }
    expect((await api(TEST_ADMIN_TOKEN, 'GET', '/v1/audit/verify?anchor=12')).status).toBe(400);
  });

  it('makes one valid chain of many actions through two gateways, exported as JSON Lines', async () => {
    const site = await api<{ id: string }>(TEST_ADMIN_TOKEN, 'POST', '/v1/sites', { name: 'Busy shop' });
    const before = (await appended()).head?.seq ?? 0;
    const changes = Array.from({ length: 40 }, (_, i) =>
      api(TEST_ADMIN_TOKEN, 'POST', `/v1/sites/${site.body.id}/anonymous-visitors`, {
        allowAnonymous: i % 2 === 0,
      }),
    );
    expect((await Promise.all(changes)).map((r) => r.status)).toEqual(Array(40).fill(200));

    const checked = await appended();
    expect(checked.head?.seq).toBe(before + 40);
    expect(checked).toMatchObject({ valid: true, checked: before + 40 });

    const res = await fetch(`${gateways[1]}/v1/audit/export?subject=site:${site.body.id}`, {
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const text = await res.text();
    expect(text.endsWith('\n')).toBe(true);
    const lines = text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Entry);
    expect(lines.map((e) => e.action)).toEqual([
      'site.register',
      ...Array(40).fill('site.anonymous-visitors'),
    ]);
    expect(lines.every((e, i) => i === 0 || e.seq > lines[i - 1].seq)).toBe(true);
    expect(
      lines
        .slice(1)
        .map((e) => e.details.allowAnonymous)
        .sort(),
    ).toEqual([...Array(20).fill(false), ...Array(20).fill(true)]);

    // The whole trail exports too, each entry linked to the one before.
    const all = (
      await (
        await fetch(`${gateways[0]}/v1/audit/export`, {
          headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
        })
      ).text()
    )
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Entry);
    expect(all.map((e) => e.seq)).toEqual(all.map((_, i) => i + 1));
    expect(all.every((e, i) => e.prevHash === (i === 0 ? '0'.repeat(64) : all[i - 1].hash))).toBe(true);
  });

  it('finds an entry altered or deleted in the database, and entries cut off its end', async () => {
    const { head } = await appended();
    expect(head).not.toBeNull();
    const middle = Math.ceil((head?.seq ?? 0) / 2);
    const { rows } = await db.query('SELECT * FROM history.audit_entries WHERE seq = $1', [middle]);
    const original = rows[0];

    // The database refuses it to anyone who keeps to the rules…
    await expect(
      db.query(`UPDATE history.audit_entries SET action = 'nothing' WHERE seq = $1`, [middle]),
    ).rejects.toThrow(/append-only/);
    // …and the hashes find it when someone who can switch the rules off did.
    await db.query('SET session_replication_role = replica');
    try {
      await db.query(`UPDATE history.audit_entries SET actor_id = 'someone-else' WHERE seq = $1`, [middle]);
      expect(await verify()).toMatchObject({
        valid: false,
        checked: middle - 1,
        firstInvalid: { seq: middle, id: original.id, reason: expect.stringMatching(/altered/) },
      });
      await db.query(`UPDATE history.audit_entries SET actor_id = $2 WHERE seq = $1`, [
        middle,
        original.actor_id,
      ]);
      expect((await verify()).valid).toBe(true);

      await db.query(`UPDATE history.audit_entries SET at = at + interval '1 second' WHERE seq = $1`, [
        middle,
      ]);
      expect((await verify()).firstInvalid).toMatchObject({ seq: middle });
      await db.query(`UPDATE history.audit_entries SET at = $2 WHERE seq = $1`, [middle, original.at]);

      await db.query('DELETE FROM history.audit_entries WHERE seq = $1', [middle]);
      expect(await verify()).toMatchObject({
        valid: false,
        firstInvalid: { seq: middle + 1, reason: expect.stringMatching(/missing/) },
      });
      await db.query(
        `INSERT INTO history.audit_entries SELECT * FROM jsonb_populate_record(NULL::history.audit_entries, $1)`,
        [JSON.stringify(original)],
      );
      const whole = await verify();
      expect(whole.valid).toBe(true);

      // The newest entry removed, and the head rewritten to match: only a head kept elsewhere tells.
      const anchor = `${whole.head?.seq}:${whole.head?.hash}`;
      const last = (await db.query('SELECT * FROM history.audit_entries ORDER BY seq DESC LIMIT 1')).rows[0];
      await db.query('DELETE FROM history.audit_entries WHERE seq = $1', [last.seq]);
      expect((await verify()).firstInvalid?.reason).toMatch(/head/);
      await db.query('UPDATE history.audit_head SET seq = $1, hash = $2', [
        Number(last.seq) - 1,
        last.prev_hash,
      ]);
      expect((await verify()).valid).toBe(true);
      expect(await verify(anchor)).toMatchObject({
        valid: false,
        firstInvalid: { reason: expect.stringMatching(/anchor/) },
      });
    } finally {
      await db.query('SET session_replication_role = DEFAULT');
    }
  });
});
