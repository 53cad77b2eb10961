import { Client } from 'pg';
import { ParleySystem, ServiceProcess, TEST_ADMIN_TOKEN, waitFor } from '@parley/testing';
import { Actor, newAgent, openConversation } from './support/actors';

/** A 1×1 red PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==',
  'base64',
);

interface Preview {
  conversations: Array<{ id: string; resolvedAt: string }>;
  attachments: Array<{ id: string; conversationId: string; takenAt: string }>;
  truncated: boolean;
}

/**
 * Issue 26's retention, against the whole system with two conversation processes: a site keeps
 * resolved conversations 30 days and attachments 30 days. The clock is set in the test by moving
 * the timestamps the policy measures back in the database (a conversation's `resolved_at`, an
 * attachment's `recorded_at`, an open conversation's creation and activity), as if those rows had
 * been written weeks ago: the services run on the real clock, and nothing else about those rows
 * changes. The dry run lists what the run then removes, and nothing else goes.
 */
describe('retention', () => {
  let system: ParleySystem;
  let secondConversation: ServiceProcess;
  let db: Client;
  let agent: Actor;

  const admin = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
    system.api(method, path, { token: TEST_ADMIN_TOKEN, body, headers });
  const as = (who: Actor, method: string, path: string, body?: unknown) =>
    system.api(method, path, { token: who.token, body, headers: { prefer: 'wait=10' } });

  const newSite = async (name: string) => {
    const res = await admin('POST', '/v1/sites', { name, allowAnonymous: true }, { prefer: 'wait=10' });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };

  /** A visitor of the site, signed in as the widget signs in an anonymous one. */
  const visitor = async (siteId: string): Promise<Actor> => {
    const res = await system.api('POST', `/v1/sites/${siteId}/customers/token`, {
      headers: { prefer: 'wait=10' },
    });
    expect(res.status).toBe(201);
    return res.body;
  };

  const resolve = async (conversationId: string) => {
    const res = await as(agent, 'POST', `/v1/conversations/${conversationId}/status`, { status: 'resolved' });
    expect(res.status).toBe(200);
  };

  /** Uploads a PNG into the conversation and sends it in a message; answers the attachment's id and link. */
  const attach = async (customer: Actor, conversationId: string) => {
    const upload = await fetch(
      `${system.gatewayUrl}/v1/conversations/${conversationId}/attachments?name=photo.png`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${customer.token}`, 'content-type': 'image/png' },
        body: PNG,
      },
    );
    expect(upload.status).toBe(201);
    const { id, url } = (await upload.json()) as { id: string; url: string };
    const message = await as(customer, 'POST', `/v1/conversations/${conversationId}/messages`, {
      body: 'A photo of the parcel',
      attachments: [id],
    });
    expect(message.status).toBe(201);
    return { id, url };
  };

  const download = (url: string) => fetch(`${system.gatewayUrl}${url}`);

  /** Moves a timestamp of these rows `days` back: as if they had been written that long ago. */
  const daysAgo = (table: string, column: string, ids: string[], days: number) =>
    db.query(`UPDATE ${table} SET ${column} = ${column} - make_interval(days => $2) WHERE id = ANY($1)`, [
      ids,
      days,
    ]);

  const count = async (sql: string, id: string) =>
    Number((await db.query<{ n: string }>(sql, [id])).rows[0].n);

  /** A counter summed over both conversation processes' /metrics. */
  const metric = async (name: string) => {
    let sum = 0;
    for (const url of [system.services.conversation.url, secondConversation.url]) {
      const text = await (await fetch(`${url}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith(`${name} `));
      sum += line ? Number(line.split(' ')[1]) : 0;
    }
    return sum;
  };

  beforeAll(async () => {
    system = await ParleySystem.start();
    secondConversation = await system.startReplica('conversation');
    db = new Client({ connectionString: system.database.url });
    await db.connect();
    agent = await newAgent(system);
  }, 120_000);

  afterAll(async () => {
    await db?.end();
    await system?.stop();
  });

  it('refuses a policy out of bounds, an unknown field and an unknown site with a problem', async () => {
    const siteId = await newSite('Bounds');
    for (const body of [
      { resolvedConversationDays: 0 },
      { attachmentDays: 3651 },
      { resolvedConversationDays: 1.5 },
      { resolvedConversationDays: '30' },
      { keepForever: true },
    ]) {
      const res = await admin('PUT', `/v1/sites/${siteId}/retention`, body);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    const unknown = await admin('PUT', '/v1/sites/no-such-site/retention', { attachmentDays: 30 });
    expect(unknown.status).toBe(404);
    expect((await admin('POST', '/v1/sites/no-such-site/retention/run')).status).toBe(404);
    expect((await admin('GET', `/v1/sites/${siteId}/retention/preview?limit=0`)).status).toBe(400);
    const agentPut = await system.api('PUT', `/v1/sites/${siteId}/retention`, {
      token: agent.token,
      body: { attachmentDays: 30 },
    });
    expect(agentPut.status).toBe(403);

    // Left out is keep forever, which is also where every site starts.
    const kept = await admin('GET', `/v1/sites/${siteId}/retention`);
    expect(kept.body).toMatchObject({
      resolvedConversationDays: null,
      attachmentDays: null,
      updatedAt: null,
    });
  });

  it('removes the resolved conversations and attachments past the policy, as the dry run said, and keeps the rest', async () => {
    const siteId = await newSite('Shop');
    const otherSiteId = await newSite('Help centre');

    // Past the policy: resolved 40 days ago, with an attachment and a rating.
    const oldCustomer = await visitor(siteId);
    const old = await openConversation(system, oldCustomer, { body: 'Where is my parcel?' });
    const oldAttachment = await attach(oldCustomer, old.id);
    // Resolved 10 days ago: within the policy.
    const recent = await openConversation(system, await visitor(siteId), { body: 'Thanks!' });
    // Open, written 400 days ago: only resolved conversations go.
    const openOld = await openConversation(system, await visitor(siteId), { body: 'Still waiting' });
    // Another site's, resolved 400 days ago: that site keeps everything.
    const otherSite = await openConversation(system, await visitor(otherSiteId), { body: 'Hello' });
    // Open, with an attachment taken 40 days ago and one taken now.
    const keptCustomer = await visitor(siteId);
    const kept = await openConversation(system, keptCustomer, { body: 'Here is the invoice' });
    const expiring = await attach(keptCustomer, kept.id);
    const fresh = await attach(keptCustomer, kept.id);

    for (const id of [old.id, recent.id, otherSite.id]) await resolve(id);
    const rated = await as(oldCustomer, 'POST', `/v1/conversations/${old.id}/rating`, { score: 5 });
    expect([200, 201, 202]).toContain(rated.status);
    await daysAgo('conversation.conversations', 'resolved_at', [old.id], 40);
    await daysAgo('conversation.conversations', 'resolved_at', [recent.id], 10);
    await daysAgo('conversation.conversations', 'resolved_at', [otherSite.id], 400);
    await daysAgo('conversation.conversations', 'created_at', [openOld.id], 400);
    await daysAgo('conversation.conversations', 'last_message_at', [openOld.id], 400);
    await daysAgo('conversation.attachments', 'recorded_at', [expiring.id], 40);

    const set = await admin(
      'PUT',
      `/v1/sites/${siteId}/retention`,
      { resolvedConversationDays: 30, attachmentDays: 30 },
      { prefer: 'wait=10' },
    );
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ siteId, resolvedConversationDays: 30, attachmentDays: 30 });

    const preview = await admin('GET', `/v1/sites/${siteId}/retention/preview`);
    expect(preview.status).toBe(200);
    const planned = preview.body as Preview;
    expect(planned.conversations.map((c) => c.id)).toEqual([old.id]);
    expect(Date.parse(planned.conversations[0].resolvedAt)).toBeLessThan(Date.now() - 39 * 86_400_000);
    expect(planned.attachments).toEqual([
      expect.objectContaining({ id: expiring.id, conversationId: kept.id }),
    ]);
    expect(planned.truncated).toBe(false);
    // The old conversation's attachment goes with it; the other site's preview is empty.
    expect((await admin('GET', `/v1/sites/${otherSiteId}/retention/preview`)).body).toMatchObject({
      conversations: [],
      attachments: [],
    });
    const runsBefore = await metric('parley_retention_runs_total');

    expect((await admin('POST', `/v1/sites/${siteId}/retention/run`)).status).toBe(202);
    await waitFor('the run to be recorded', async () => {
      const policy = (await admin('GET', `/v1/sites/${siteId}/retention`)).body;
      return policy.lastRunAt !== null && policy.lastRun?.conversations === 1 ? policy : undefined;
    });
    await waitFor('the old conversation to be removed', async () => {
      const res = await as(agent, 'GET', `/v1/conversations/${old.id}`);
      return res.status === 404;
    });
    await waitFor(
      'the expired attachment to be deleted',
      async () => (await download(expiring.url)).status === 410,
    );

    // What the dry run listed is what went: of every conversation and attachment here, exactly those.
    const all = [old, recent, openOld, otherSite, kept];
    const gone: string[] = [];
    for (const { id } of all)
      if ((await as(agent, 'GET', `/v1/conversations/${id}`)).status === 404) gone.push(id);
    expect(gone).toEqual(planned.conversations.map((c) => c.id));
    const attachmentStatus = async (url: string) => (await download(url)).status;
    expect(await attachmentStatus(oldAttachment.url)).toBe(410);
    expect(await attachmentStatus(expiring.url)).toBe(410);
    expect(await attachmentStatus(fresh.url)).toBe(200);

    // Gone from the API: the list, the conversation, its messages, the customer's own view.
    const list = await as(agent, 'GET', '/v1/conversations?limit=200');
    const listed = (list.body.items as Array<{ id: string }>).map((c) => c.id);
    expect(listed).not.toContain(old.id);
    expect(listed).toEqual(expect.arrayContaining([recent.id, openOld.id, otherSite.id, kept.id]));
    // History remembers that it erased the conversation (the erasure ledger), and may say so: 410.
    expect([404, 410]).toContain((await as(agent, 'GET', `/v1/conversations/${old.id}/messages`)).status);
    expect((await as(oldCustomer, 'GET', '/v1/conversations')).body.items).toEqual([]);
    // And from every store that held it: conversation's rows, history's messages, delivery's inboxes.
    await waitFor('history and delivery to drop the conversation', async () => {
      const left =
        (await count('SELECT count(*) AS n FROM history.messages WHERE conversation_id = $1', old.id)) +
        (await count('SELECT count(*) AS n FROM delivery.inbox_events WHERE conversation_id = $1', old.id));
      return left === 0;
    });
    for (const table of [
      'conversations',
      'conversation_entries',
      'ratings',
      'attachments',
      'read_horizons',
    ]) {
      const column = table === 'conversations' ? 'id' : 'conversation_id';
      expect(
        await count(`SELECT count(*) AS n FROM conversation.${table} WHERE ${column} = $1`, old.id),
      ).toBe(0);
    }

    // The rest stay, with their messages: a message whose attachment expired stays too.
    for (const { id } of [recent, openOld, otherSite, kept])
      expect((await as(agent, 'GET', `/v1/conversations/${id}/messages`)).status).toBe(200);
    // The message whose attachment expired stays, and says so: no link to a file that is gone.
    const shown = await waitFor('history to show the attachment expired', async () => {
      const items = (await as(agent, 'GET', `/v1/conversations/${kept.id}/messages`)).body.items as Array<{
        attachments?: Array<{ id: string; url?: string; expiredAt?: string }>;
      }>;
      const attachments = items.flatMap((m) => m.attachments ?? []);
      return attachments.find((a) => a.id === expiring.id)?.expiredAt ? { items, attachments } : undefined;
    });
    expect(shown.items).toHaveLength(3);
    expect(shown.attachments.find((a) => a.id === expiring.id)?.url).toBeUndefined();
    expect(shown.attachments.find((a) => a.id === fresh.id)).toMatchObject({ url: expect.any(String) });
    expect(shown.attachments.find((a) => a.id === fresh.id)?.expiredAt).toBeUndefined();

    // Nothing more to remove; the run counted once, over two processes.
    expect((await admin('GET', `/v1/sites/${siteId}/retention/preview`)).body).toMatchObject({
      conversations: [],
      attachments: [],
    });
    expect(await metric('parley_retention_runs_total')).toBe(runsBefore + 1);
    expect(await metric('parley_retention_conversations_removed_total')).toBe(1);
    expect(await metric('parley_retention_attachments_removed_total')).toBe(1);
  });
});
