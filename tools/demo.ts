import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { ServiceEnv } from '@parley/runtime';
import { ApiResponse, callApi, ParleySystem, TEST_ADMIN_TOKEN, waitFor } from '@parley/testing';

/**
 * `npm run demo`: Parley's story told in the terminal: a customer writes while no agent is online
 * and history is down; the agent comes online, catches up and replies; the customer, who was away,
 * catches up too. Against the system `npm start` runs (PARLEY_URL, default http://127.0.0.1 on
 * PARLEY_GATEWAY_PORT or 3000; that system's history, on the gateway's broker and namespace, is paused
 * with SIGSTOP and resumed with SIGCONT, so it must run on this machine), or, when none answers
 * there, on a system of its own (its own broker, database and services).
 */
const started = Date.now();
const t = () => `${((Date.now() - started) / 1000).toFixed(2).padStart(6)} s`;
const say = (who: string, what: string) => console.log(`${t()}  ${who.padEnd(10)} ${what}`);

type Api = (
  method: string,
  path: string,
  options?: { token?: string; body?: unknown; headers?: Record<string, string> },
  // The story reads answers field by field.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
) => Promise<ApiResponse<any>>;

interface Stage {
  api: Api;
  adminToken: string;
  stopHistory(): Promise<void>;
  startHistory(): Promise<void>;
  close(): Promise<void>;
}

/** Process ids on this machine, except this one's. */
function otherProcesses(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
    .map(Number);
}

function readProc(pid: number, file: string): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return ''; // gone, or another user's
  }
}

/** The process listening on a TCP port of this machine (Linux's socket tables), if one of ours. */
function listenerOn(port: number): number | undefined {
  const hexPort = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const sockets = new Set<string>();
  for (const table of ['net/tcp', 'net/tcp6']) {
    for (const row of readProc(process.pid, table).split('\n').slice(1)) {
      // sl local_address rem_address st … inode: state 0A is LISTEN.
      const [, local, , state, , , , , , inode] = row.trim().split(/\s+/);
      if (local?.endsWith(hexPort) && state === '0A') sockets.add(`socket:[${inode}]`);
    }
  }
  return otherProcesses().find((pid) => {
    try {
      return readdirSync(`/proc/${pid}/fd`).some((fd) => sockets.has(readlinkSync(`/proc/${pid}/fd/${fd}`)));
    } catch {
      return false;
    }
  });
}

/** Which system a service process belongs to: its broker and namespace, defaults applied. */
function systemOf(pid: number): string {
  const env = Object.fromEntries(
    readProc(pid, 'environ')
      .split('\0')
      .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
  );
  const defaults = new ServiceEnv();
  return `${env.NATS_URL || defaults.NATS_URL} ${env.PARLEY_NAMESPACE || defaults.PARLEY_NAMESPACE}`;
}

/**
 * The history processes of the system whose gateway answers at `url` on this machine: those on the
 * same broker and namespace, whether `npm start` or `npm run start:history` started them.
 */
function historyProcesses(url: string): number[] {
  const { port, protocol } = new URL(url);
  const gateway = listenerOn(Number(port || (protocol === 'https:' ? 443 : 80)));
  if (gateway === undefined)
    throw new Error(`Parley answers at ${url}, but not from a process of this machine`);
  const system = systemOf(gateway);
  return otherProcesses().filter(
    (pid) => readProc(pid, 'cmdline').includes('apps/history/src/main.js') && systemOf(pid) === system,
  );
}

async function runningSystem(url: string): Promise<Stage | undefined> {
  const ready = await fetch(`${url}/health/ready`).then(
    (res) => res.ok,
    () => false,
  );
  if (!ready) return undefined;
  const history = historyProcesses(url);
  if (!history.length) {
    throw new Error(
      `Parley answers at ${url}, but no history process of its system runs on this machine to pause`,
    );
  }
  say('system', `using the system at ${url} (history: process ${history.join(', ')})`);
  const resume = () => history.forEach((pid) => process.kill(pid, 'SIGCONT'));
  // Stopped mid-story (Ctrl-C), the demo must not leave the system's history paused either.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      resume();
      process.exit(130);
    });
  }
  return {
    api: (method, path, options) => callApi(url, method, path, options),
    adminToken: process.env.PARLEY_ADMIN_TOKEN ?? 'parley-dev-admin-token',
    stopHistory: async () => history.forEach((pid) => process.kill(pid, 'SIGSTOP')),
    startHistory: async () => resume(),
    close: async () => undefined,
  };
}

async function ownSystem(): Promise<Stage> {
  say('system', 'starting broker, database, gateway, conversation, delivery, history…');
  const system = await ParleySystem.start();
  return {
    api: (method, path, options) => system.api(method, path, options),
    adminToken: TEST_ADMIN_TOKEN,
    stopHistory: async () => {
      await system.services.history.stop('SIGTERM');
    },
    startHistory: async () => {
      if (!system.services.history.running) await system.services.history.start();
    },
    close: async () => {
      await system.stop();
      say('system', 'stopped');
    },
  };
}

/**
 * An agent as a person becomes one: the admin invites them (answered once registered, so the invite
 * is there to accept), they set a password through the invite and sign in with it.
 */
async function signedUpAgent(
  { api, adminToken }: Stage,
  name: string,
  email: string,
): Promise<{ id: string; token: string }> {
  const password = 'correct horse battery staple';
  const invited = await api('POST', '/v1/agents', {
    token: adminToken,
    body: { name, email },
    headers: { prefer: 'wait=10' },
  });
  if (invited.status !== 201) throw new Error(`agent not invited: ${JSON.stringify(invited.body)}`);
  const set = await api('POST', '/v1/invites/accept', {
    body: { token: invited.body.inviteToken, password },
  });
  if (set.status !== 200) throw new Error(`password not set: ${JSON.stringify(set.body)}`);
  const session = await api('POST', '/v1/sessions', { body: { email, password } });
  if (session.status !== 201) throw new Error(`agent not signed in: ${JSON.stringify(session.body)}`);
  return { id: invited.body.id, token: session.body.token };
}

async function main(): Promise<void> {
  const stage =
    (await runningSystem(
      process.env.PARLEY_URL ?? `http://127.0.0.1:${process.env.PARLEY_GATEWAY_PORT || 3000}`,
    )) ?? (await ownSystem());
  const { api } = stage;
  // Unique per run, so the story can be told again on the same system.
  const run = Date.now().toString(36);
  let agentToken: string | undefined;
  try {
    const agent = await signedUpAgent(stage, 'Ada', `ada-${run}@example.com`);
    agentToken = agent.token;
    const customer = (
      await api('POST', '/v1/customers', {
        token: stage.adminToken,
        body: { externalId: `crm-grace-${run}`, name: 'Grace' },
      })
    ).body;
    say(
      'admin',
      `invited agent Ada (${agent.id.slice(0, 8)}…), who set her password and signed in, and created customer Grace (${customer.id.slice(0, 8)}…)`,
    );

    await stage.stopHistory();
    say('system', 'history is stopped; no agent of the story is online');

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

    await stage.startHistory();
    say('system', 'history is back and catches up from its durable consumer');
    await api('PUT', '/v1/agents/me/presence', { token: agent.token, body: { status: 'online' } });
    say('Ada', 'comes online');
    const assignee = await waitFor('assignment', async () => {
      const res = await api('GET', `/v1/conversations/${opened.body.id}`, { token: agent.token });
      return res.body.assigneeId ?? undefined;
    });
    if (assignee === agent.id) {
      say('system', 'the queue drains: the conversation is assigned to Ada');
    } else {
      // On a shared system another online agent may have been given it first.
      await api('POST', `/v1/conversations/${opened.body.id}/assignment`, {
        token: agent.token,
        body: { agentId: agent.id },
      });
      await waitFor('Ada to hold it', async () => {
        const res = await api('GET', `/v1/conversations/${opened.body.id}`, { token: agent.token });
        return res.body.assigneeId === agent.id;
      });
      say('Ada', 'takes over the conversation another agent had been given');
    }
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
    // Ada goes offline again, so later conversations on a shared system are not routed to her.
    if (agentToken) {
      await api('PUT', '/v1/agents/me/presence', { token: agentToken, body: { status: 'offline' } }).catch(
        () => undefined,
      );
    }
    await stage.startHistory(); // never leave a shared system's history paused
    await stage.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
