/**
 * Two processes of every service, gateway included, started before any traffic: the story of
 * conversations opened, claimed at once, written back to back, transferred and re-statused must
 * come out whole, checked only through the API. Then a third process of each consuming service
 * joins mid-load and an original one is SIGKILLed; then PostgreSQL is away for longer than the
 * whole retry schedule. Each time: nothing dead-lettered, history gap-free, every inbox in order.
 */
import { EventSource } from 'eventsource';
import { Client } from 'pg';
import { DELIVERED_EVENT_TYPES } from '@parley/contracts';
import {
  callApi,
  ParleySystem,
  ServiceName,
  ServiceProcess,
  TEST_ADMIN_TOKEN,
  waitFor,
} from '@parley/testing';

const CONSUMING: ServiceName[] = ['conversation', 'history', 'delivery'];
const LEASE_TTL_SECONDS = 4;

interface Actor {
  id: string;
  token: string;
}

interface Story {
  conversationId: string;
  customer: Actor;
  /** Ids of every message and note written into it, as the API answered them. */
  written: string[];
  /** Ids of those the customer may see. */
  visible: string[];
}

interface Item {
  id: string;
  seq: number;
  type: string;
}

interface InboxEvent {
  type: string;
  conversationId: string | null;
  data: { messageId?: string; seq?: number };
}

describe('two processes of every service', () => {
  let system: ParleySystem;
  let gateways: string[];
  const extra: Record<ServiceName, ServiceProcess[]> = {
    gateway: [],
    conversation: [],
    history: [],
    delivery: [],
    mail: [],
  };
  let db: Client;
  let agents: Actor[];
  let turn = 0;

  /** Each call goes to the next gateway in turn, as a load balancer would send it. */
  // Tests read answers field by field; `any` keeps those assertions short.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async function api<T = any>(token: string, method: string, path: string, body?: unknown, wait = false) {
    const url = gateways[turn++ % gateways.length];
    const res = await callApi<T>(url, method, path, {
      token,
      body,
      headers: wait ? { prefer: 'wait=10' } : undefined,
    });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /** Partitions of `service` with no live owner (none, expired, or its process gone). */
  async function unowned(service: ServiceName): Promise<number> {
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "${service}".partition_leases l
        WHERE l.owner IS NULL OR l.expires_at < now() OR NOT EXISTS (${liveMember(service)})`,
    );
    return rows[0].n;
  }

  /** The processes of `service` holding a partition, each with how many: only live ones count. */
  async function owners(service: ServiceName): Promise<Map<string, number>> {
    const { rows } = await db.query<{ owner: string; n: number }>(
      `SELECT owner, count(*)::int AS n FROM "${service}".partition_leases l
        WHERE owner IS NOT NULL AND expires_at > now() AND EXISTS (${liveMember(service)})
        GROUP BY owner`,
    );
    return new Map(rows.map((r) => [r.owner, r.n]));
  }

  /** A lease's owner is alive while its database session is: a SIGKILLed process's session ends with it. */
  function liveMember(service: ServiceName): string {
    return `SELECT FROM "${service}".partition_members m JOIN pg_stat_activity a ON a.pid = m.pid
             WHERE m.member = l.owner`;
  }

  async function newCustomer(): Promise<Actor> {
    return api(TEST_ADMIN_TOKEN, 'POST', '/v1/customers', { externalId: `scale-${Math.random()}` });
  }

  /** Opens a conversation, has an agent claim it at once, then customer and agent write back to back. */
  async function tell(customer: Actor, agent: Actor, other: Actor, exchanges: number): Promise<Story> {
    const opened = await api<{ id: string; messageId: string }>(customer.token, 'POST', '/v1/conversations', {
      body: 'opening',
    });
    const story: Story = { conversationId: opened.id, customer, written: [opened.messageId], visible: [] };
    story.visible.push(opened.messageId);
    const path = `/v1/conversations/${opened.id}`;
    await api(agent.token, 'POST', `${path}/assignment`, { agentId: 'me' });
    for (let i = 0; i < exchanges; i++) {
      const asked = await api<{ id: string }>(customer.token, 'POST', `${path}/messages`, { body: `q${i}` });
      const told = await api<{ id: string }>(agent.token, 'POST', `${path}/messages`, { body: `a${i}` });
      story.written.push(asked.id, told.id);
      story.visible.push(asked.id, told.id);
    }
    const transfer = await api<{ id: string }>(agent.token, 'POST', `${path}/transfer`, {
      agentId: other.id,
      reason: 'second line',
      note: 'the customer asked twice',
    });
    story.written.push(transfer.id);
    await api(other.token, 'POST', `${path}/status`, { status: 'pending' });
    await api(other.token, 'POST', `${path}/status`, { status: 'open' });
    const last = await api<{ id: string }>(customer.token, 'POST', `${path}/messages`, { body: 'thanks' });
    story.written.push(last.id);
    story.visible.push(last.id);
    return story;
  }

  async function allMessages(token: string, conversationId: string): Promise<Item[]> {
    const items: Item[] = [];
    let after = 0;
    for (;;) {
      const page = await api<{ items: Item[] }>(
        token,
        'GET',
        `/v1/conversations/${conversationId}/messages?after=${after}&limit=200`,
      );
      items.push(...page.items);
      if (page.items.length < 200) return items;
      after = page.items[page.items.length - 1].seq;
    }
  }

  async function wholeInbox(actor: Actor): Promise<InboxEvent[]> {
    const events: InboxEvent[] = [];
    let cursor = '';
    for (;;) {
      const page = await api<{ events: InboxEvent[]; nextCursor: string | null }>(
        actor.token,
        'GET',
        `/v1/inbox?limit=200${cursor ? `&cursor=${cursor}` : ''}`,
      );
      events.push(...page.events);
      if (!page.events.length) return events;
      cursor = page.nextCursor ?? '';
    }
  }

  /** The message seqs of one conversation in an inbox, in inbox order. */
  function seqsIn(events: InboxEvent[], conversationId: string): number[] {
    return events
      .filter((e) => e.conversationId === conversationId && /^(message|note)\.created$/.test(e.type))
      .map((e) => e.data.seq as number);
  }

  const ascending = (seqs: number[]) => seqs.every((s, i) => i === 0 || s > seqs[i - 1]);

  /** Everything written is applied once, in order, everywhere the API shows it. */
  async function account(stories: Story[], finalAssignee: Map<string, string>): Promise<void> {
    for (const story of stories) {
      const items = await waitFor(
        `conversation ${story.conversationId} complete in history`,
        async () => {
          const all = await allMessages(agents[0].token, story.conversationId);
          return story.written.every((id) => all.some((m) => m.id === id)) ? all : undefined;
        },
        90_000,
        250,
      );
      expect(items.map((m) => m.seq)).toEqual(items.map((_, i) => i + 1));
      expect(new Set(items.map((m) => m.id)).size).toBe(items.length);
      const conversation = await api(agents[0].token, 'GET', `/v1/conversations/${story.conversationId}`);
      expect(conversation.assigneeId).toBe(finalAssignee.get(story.conversationId));
      expect(conversation.status).toBe('open');
    }
    const letters = await api<{ items: unknown[] }>(TEST_ADMIN_TOKEN, 'GET', '/v1/admin/dead-letters');
    expect(letters.items).toEqual([]);
    for (const story of stories) {
      const inbox = await waitFor(
        `the customer's inbox of ${story.conversationId}`,
        async () => {
          const events = await wholeInbox(story.customer);
          const ids = events
            .filter((e) => e.conversationId === story.conversationId && e.type === 'message.created')
            .map((e) => e.data.messageId);
          return story.visible.every((id) => ids.includes(id)) ? events : undefined;
        },
        60_000,
        250,
      );
      const seqs = seqsIn(inbox, story.conversationId);
      expect(seqs).toHaveLength(story.visible.length);
      expect(ascending(seqs)).toBe(true);
    }
    for (const agent of agents) {
      const inbox = await wholeInbox(agent);
      for (const story of stories) {
        const seqs = seqsIn(inbox, story.conversationId);
        expect(new Set(seqs).size).toBe(seqs.length);
        expect(ascending(seqs)).toBe(true);
      }
    }
  }

  beforeAll(async () => {
    system = await ParleySystem.start({
      PARLEY_LEASE_TTL_SECONDS: String(LEASE_TTL_SECONDS),
      // The whole retry schedule is a few seconds, so an outage outlasts it easily.
      PARLEY_MAX_DELIVER: '3',
    });
    for (const name of ['gateway', ...CONSUMING] as ServiceName[])
      extra[name].push(await system.startReplica(name));
    gateways = [system.gatewayUrl, extra.gateway[0].url];
    db = new Client({ connectionString: system.database.url });
    // The outage test cuts every connection to the database, this one included; it is not needed after.
    db.on('error', () => undefined);
    await db.connect();
    for (const service of CONSUMING) {
      await waitFor(
        `${service}'s partitions shared by its two processes`,
        async () => (await unowned(service)) === 0 && (await owners(service)).size === 2,
        60_000,
        250,
      );
    }
    agents = [];
    for (let i = 0; i < 2; i++) {
      const agent = await api<Actor>(TEST_ADMIN_TOKEN, 'POST', '/v1/agents', {
        name: `Agent ${i}`,
        email: `scale${i}@example.com`,
        capacity: 100,
      });
      await api(agent.token, 'PUT', '/v1/agents/me/presence', { status: 'online' }, true);
      agents.push(agent);
    }
  }, 180_000);

  afterAll(async () => {
    await db?.end();
    await system?.stop();
  });

  it('applies every claim, message, transfer and status change once and in order, on either gateway', async () => {
    const customers = await Promise.all(Array.from({ length: 6 }, () => newCustomer()));
    // The customer of the first story follows it live on the second gateway.
    const live: InboxEvent[] = [];
    const source = new EventSource(`${gateways[1]}/v1/inbox/stream`, {
      fetch: (input, init) =>
        fetch(input, {
          ...init,
          headers: {
            ...(init?.headers as Record<string, string>),
            authorization: `Bearer ${customers[0].token}`,
          },
        }),
    });
    for (const type of DELIVERED_EVENT_TYPES)
      source.addEventListener(type, (e) => live.push(JSON.parse(e.data)));
    try {
      const stories = await Promise.all(
        customers.map((customer, i) => tell(customer, agents[i % 2], agents[(i + 1) % 2], 8)),
      );
      const assignees = new Map(stories.map((s, i) => [s.conversationId, agents[(i + 1) % 2].id]));
      await account(stories, assignees);
      const first = stories[0];
      await waitFor(
        'the live stream to carry the first story',
        async () => seqsIn(live, first.conversationId).length === first.visible.length,
        30_000,
        100,
      );
      expect(ascending(seqsIn(live, first.conversationId))).toBe(true);
    } finally {
      source.close();
    }
  }, 240_000);

  it('loses, doubles and reorders nothing when a third process joins mid-load and one is SIGKILLed', async () => {
    const customers = await Promise.all(Array.from({ length: 4 }, () => newCustomer()));
    const load = Promise.all(
      customers.map((customer, i) => tell(customer, agents[i % 2], agents[(i + 1) % 2], 15)),
    );
    for (const name of CONSUMING) extra[name].push(await system.startReplica(name));
    const killedAt = Date.now();
    await Promise.all(CONSUMING.map((name) => system.services[name].stop('SIGKILL')));
    const regained = await Promise.all(
      CONSUMING.map(async (service) => {
        await waitFor(
          `every partition of ${service} owned again`,
          // The survivors, and only they, hold every partition: a lease the dead process still
          // holds until it expires is not an owner.
          async () => (await unowned(service)) === 0 && (await owners(service)).size === 2,
          60_000,
          100,
        );
        return [service, Date.now() - killedAt] as const;
      }),
    );
    const stories = await load;
    const assignees = new Map(stories.map((s, i) => [s.conversationId, agents[(i + 1) % 2].id]));
    await account(stories, assignees);
    for (const [service, ms] of regained) {
      console.log(
        `${service}: every partition owned again ${ms} ms after SIGKILL (lease TTL ${LEASE_TTL_SECONDS} s)`,
      );
      expect(ms).toBeLessThan((LEASE_TTL_SECONDS + 5) * 1000);
      expect((await owners(service)).size).toBe(2);
    }
  }, 240_000);

  it('pauses instead of dead-lettering while PostgreSQL is away longer than the retry schedule', async () => {
    const customers = await Promise.all(Array.from({ length: 3 }, () => newCustomer()));
    const stories = await Promise.all(
      customers.map((c, i) => tell(c, agents[i % 2], agents[(i + 1) % 2], 1)),
    );
    await system.database.block();
    let written: Story[];
    try {
      // Writes keep being accepted while the database is away: the gateway needs only the broker.
      written = await Promise.all(
        stories.map(async (story) => {
          const path = `/v1/conversations/${story.conversationId}/messages`;
          for (let i = 0; i < 5; i++) {
            const sent = await api<{ id: string }>(story.customer.token, 'POST', path, {
              body: `during ${i}`,
            });
            story.written.push(sent.id);
            story.visible.push(sent.id);
          }
          return story;
        }),
      );
      const readiness = await fetch(`${extra.conversation[0].url}/health/ready`);
      expect(readiness.status).toBe(503);
      // Longer than the retry schedule (3 attempts, 1 s then 2 s), and than a lease.
      await new Promise((resolve) => setTimeout(resolve, 15_000));
    } finally {
      await system.database.unblock();
    }
    const assignees = new Map(written.map((s, i) => [s.conversationId, agents[(i + 1) % 2].id]));
    await account(written, assignees);
  }, 240_000);
});
