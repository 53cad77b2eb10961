import { ParleySystem, TEST_ADMIN_TOKEN, waitFor } from '@parley/testing';

/**
 * `npm run demo`: Parley's story told in the terminal, on a system of its own (its own broker,
 * database and the four services as processes, so it can stop one): a customer writes while no
 * agent is online and history is down; the agent comes online, catches up and replies; the
 * customer, who was away, catches up too.
 */
const started = Date.now();
const t = () => `${((Date.now() - started) / 1000).toFixed(2).padStart(6)} s`;
const say = (who: string, what: string) => console.log(`${t()}  ${who.padEnd(10)} ${what}`);

async function main(): Promise<void> {
  say('system', 'starting broker, database, gateway, conversation, delivery, history…');
  const system = await ParleySystem.start();
  try {
    const api = system.api.bind(system);
    const agent = (
      await api('POST', '/v1/agents', {
        token: TEST_ADMIN_TOKEN,
        body: { name: 'Ada', email: 'ada@example.com' },
      })
    ).body;
    const customer = (
      await api('POST', '/v1/customers', {
        token: TEST_ADMIN_TOKEN,
        body: { externalId: 'crm-grace', name: 'Grace' },
      })
    ).body;
    say(
      'admin',
      `created agent Ada (${agent.id.slice(0, 8)}…) and customer Grace (${customer.id.slice(0, 8)}…)`,
    );

    await system.services.history.stop('SIGTERM');
    say('system', 'history is stopped; no agent is online');

    const opened = await api('POST', '/v1/conversations', {
      token: customer.token,
      body: { subject: 'Order #1234', body: 'Hi, my parcel has not arrived.' },
    });
    say('Grace', `opens a conversation → ${opened.status} (accepted once JetStream stored it)`);
    for (const text of ['It was due on Monday.', 'The tracking number is ZX-9.']) {
      const res = await api('POST', `/v1/conversations/${opened.body.id}/messages`, {
        token: customer.token,
        body: { body: text },
      });
      say('Grace', `"${text}" → ${res.status}`);
    }
    const queued = await waitFor('the queue', async () => {
      const res = await api('GET', '/v1/queue', { token: agent.token });
      return res.body.items?.length ? res.body.items : undefined;
    });
    say('system', `the conversation waits in the queue (${queued[0].priority} priority, unassigned)`);
    say('Grace', 'closes the laptop and goes away');

    await system.services.history.start();
    say('system', 'history is back and catches up from its durable consumer');
    await api('PUT', '/v1/agents/me/presence', { token: agent.token, body: { status: 'online' } });
    say('Ada', 'comes online');
    await waitFor('assignment', async () => {
      const res = await api('GET', `/v1/conversations/${opened.body.id}`, { token: agent.token });
      return res.body.assigneeId === agent.id;
    });
    say('system', 'the queue drains: the conversation is assigned to Ada');
    const inbox = (await api('GET', '/v1/inbox', { token: agent.token })).body;
    say('Ada', `catches up: ${inbox.events.map((e: { type: string }) => e.type).join(', ')}`);
    const history = await waitFor('history', async () => {
      const res = await api('GET', `/v1/conversations/${opened.body.id}/messages`, { token: agent.token });
      return res.body.items?.length === 3 ? res.body.items : undefined;
    });
    for (const m of history) say('Ada', `reads #${m.seq}: "${m.body}"`);
    await api('POST', `/v1/conversations/${opened.body.id}/read`, { token: agent.token, body: { seq: 3 } });
    await api('POST', `/v1/conversations/${opened.body.id}/notes`, {
      token: agent.token,
      body: { body: 'Carrier delay, refund shipping.' },
    });
    say('Ada', 'leaves a private note for colleagues');
    await api('POST', `/v1/conversations/${opened.body.id}/messages`, {
      token: agent.token,
      body: { body: 'Sorry Grace! It ships tomorrow and the shipping is on us.' },
    });
    say('Ada', 'replies');

    const back = await waitFor('the reply in Grace’s inbox', async () => {
      const res = await api('GET', '/v1/inbox?limit=200', { token: customer.token });
      const events = res.body.events ?? [];
      return events.some(
        (e: { type: string; data: { authorRole?: string } }) =>
          e.type === 'message.created' && e.data.authorRole === 'agent',
      )
        ? events
        : undefined;
    });
    say('Grace', `comes back and catches up: ${back.map((e: { type: string }) => e.type).join(', ')}`);
    const seen = (await api('GET', `/v1/conversations/${opened.body.id}/messages`, { token: customer.token }))
      .body.items;
    for (const m of seen) say('Grace', `sees #${m.seq} (${m.authorRole}): "${m.body}"`);
    say(
      'Grace',
      `never sees Ada's note: ${seen.some((m: { type: string }) => m.type === 'note') ? 'NO, it leaked' : 'right'}`,
    );
  } finally {
    await system.stop();
    say('system', 'stopped');
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
