import { Browser, Locator, Page } from 'playwright-core';
import { CHROMIUM, ParleySystem, requirePrerequisite, TEST_ADMIN_TOKEN, waitFor } from '@parley/testing';
import {
  Actor,
  answer,
  clientOf,
  Conversation,
  newSignedUpAgent,
  openConversation,
  wholeInbox,
} from './support/actors';
import { startSystemAndBrowser } from './support/browser';

requirePrerequisite(CHROMIUM);
const UI_TIMEOUT_MS = 15_000;
const WAIT = { prefer: 'wait=10' };
const PASSWORD = 'correct horse battery staple';
/** Requests in flight at once while the 1,000 conversations are made and changed. */
const PARALLEL = 40;

/** Runs `work` on every item, `PARALLEL` at a time. */
async function inParallel<T>(items: T[], work: (item: T, index: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await work(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
}

/**
 * Issue 25's saved replies and labels, against the whole system and in Chromium: `/refund` in the
 * console's composer fills in the team's saved reply for this customer; a label one agent puts on
 * in their console appears live in another agent's; and the lists' filters, on 1,000
 * conversations, show exactly the conversations the API's own data says they should.
 */
describe('saved replies and labels', () => {
  let system: ParleySystem;
  let browser: Browser;
  let serial = 0;
  const admin = () => clientOf(system, TEST_ADMIN_TOKEN);
  const visible = (locator: Locator) => locator.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });

  beforeAll(async () => {
    ({ system, browser } = await startSystemAndBrowser());
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await system?.stop();
  });

  /** An agent who signs in with email and password, as in the console, and their API token. */
  const agent = async (name: string): Promise<Actor & { email: string }> => {
    const email = `${name.split(' ')[0].toLowerCase()}.${++serial}@example.com`;
    const { id } = await newSignedUpAgent(system, { name, email, password: PASSWORD });
    const session = await answer(
      clientOf(system).POST('/v1/sessions', { body: { email, password: PASSWORD } }),
    );
    expect(session.status).toBe(201);
    return { id, email, token: session.body.token };
  };

  const customer = async (name: string, email: string): Promise<Actor> => {
    const res = await answer(
      admin().POST('/v1/customers', { body: { externalId: `crm-${++serial}`, name, email } }),
    );
    expect(res.status).toBe(202);
    return res.body;
  };

  const assign = async (by: Actor, conversationId: string, agentId: string) => {
    const res = await answer(
      clientOf(system, by).POST('/v1/conversations/{id}/assignment', {
        params: { path: { id: conversationId } },
        body: { agentId },
        headers: WAIT,
      }),
    );
    expect(res.status).toBe(200);
  };

  /** A console of its own (its own storage, so its own session), signed in and showing `path`. */
  const consoleOf = async (who: { email: string }, path: string): Promise<Page> => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${system.gatewayUrl}/console/${path}`);
    await page.getByLabel('Email').fill(who.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await visible(page.getByRole('button', { name: 'Sign out' }));
    return page;
  };

  const defineLabel = async (name: string, colour: string) => {
    const res = await answer(admin().POST('/v1/labels', { body: { name, colour }, headers: WAIT }));
    expect(res.status).toBe(201);
    return res.body as { id: string; name: string; colour: string };
  };

  it('fills the composer with the saved reply on /refund, with the customer’s name', async () => {
    const grace = await agent('Grace Hopper');
    const ada = await customer('Ada Lovelace', 'ada@example.com');
    const { id } = await openConversation(system, ada, { body: 'Where is my refund?' });
    await assign(grace, id, 'me');

    const body = 'Hello {{customer.name}}, your refund is on its way. {{agent.name}}';
    const team = await answer(
      admin().POST('/v1/saved-replies', { body: { scope: 'team', shortcut: 'refund', body }, headers: WAIT }),
    );
    expect(team.status).toBe(201);
    // The team's replies are the admins' and supervisors'; an agent keeps personal ones.
    const asGrace = clientOf(system, grace);
    const refused = await answer(
      asGrace.POST('/v1/saved-replies', { body: { scope: 'team', shortcut: 'thanks', body: 'Thanks!' } }),
    );
    expect(refused.status).toBe(403);
    const own = await answer(
      asGrace.POST('/v1/saved-replies', { body: { shortcut: 'thanks', body: 'Thanks!' }, headers: WAIT }),
    );
    expect(own.status).toBe(201);
    expect(own.body).toMatchObject({ scope: 'personal', ownerId: grace.id });
    const taken = await answer(
      admin().POST('/v1/saved-replies', { body: { scope: 'team', shortcut: 'REFUND', body }, headers: WAIT }),
    );
    expect(taken.status).toBe(409);

    const page = await consoleOf(grace, `conversations/${id}`);
    try {
      const composer = page.getByLabel('Reply to the customer');
      await composer.fill('/ref');
      const option = page
        .getByRole('listbox', { name: 'Saved replies' })
        .getByRole('option', { name: /\/refund/ });
      await visible(option);
      await composer.press('Enter');
      const filled = 'Hello Ada Lovelace, your refund is on its way. Grace Hopper';
      await waitFor(
        'the composer filled with the saved reply',
        async () => (await composer.inputValue()) === filled,
        UI_TIMEOUT_MS,
      );
      expect(await composer.inputValue()).toBe(filled);
    } finally {
      await page.context().close();
    }
  });

  it('shows a label one agent puts on in another agent’s console, live', async () => {
    const vip = await defineLabel('VIP', '#7b2cbf');
    const duplicate = await answer(
      admin().POST('/v1/labels', { body: { name: 'vip', colour: '#000000' }, headers: WAIT }),
    );
    expect(duplicate.status).toBe(409);
    const [katherine, alan] = [await agent('Katherine Johnson'), await agent('Alan Turing')];
    const lin = await customer('Lin Customer', 'lin@example.com');
    const { id } = await openConversation(system, lin, { subject: 'Bulk order', body: 'Can I order 500?' });
    await assign(alan, id, 'me');

    const [watching, labelling] = [
      await consoleOf(alan, ''),
      await consoleOf(katherine, `conversations/${id}`),
    ];
    try {
      const row = watching.getByRole('list', { name: 'My conversations' }).getByRole('listitem').filter({
        hasText: 'Bulk order',
      });
      await visible(row);
      expect(await row.getByText('VIP', { exact: true }).count()).toBe(0);

      await labelling.getByLabel('Add label').selectOption({ label: 'VIP' });
      await visible(labelling.locator('.conversation-header').getByText('VIP', { exact: true }));
      // Alan's console heard it from his inbox: no reload.
      await visible(row.getByText('VIP', { exact: true }));

      const events = await wholeInbox(system, alan);
      const changed = events.find((e) => e.type === 'conversation.labels_changed' && e.conversationId === id);
      expect(changed?.data).toMatchObject({
        labels: [{ id: vip.id, name: 'VIP', colour: '#7b2cbf' }],
        added: [vip.id],
        removed: [],
        changedBy: katherine.id,
      });
      const customerEvents = await wholeInbox(system, lin);
      expect(customerEvents.filter((e) => e.type === 'conversation.labels_changed')).toEqual([]);
    } finally {
      await watching.context().close();
      await labelling.context().close();
    }
  });

  it('filters 1,000 conversations by label, status, priority, assignee and team as the API’s data says', async () => {
    const [billing, bug, refund] = [
      await defineLabel('billing', '#0b5cad'),
      await defineLabel('bug', '#b42318'),
      await defineLabel('refund', '#2da44e'),
    ];
    const mary = await agent('Mary Jackson');
    const asMary = clientOf(system, mary);
    const customers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => customer(`Customer ${i}`, `c${i}@example.com`)),
    );
    const ids: string[] = new Array(1000);
    await inParallel(ids, async (_, i) => {
      const res = await answer(
        clientOf(system, customers[i % 50]).POST('/v1/conversations', { body: { body: `Question ${i}` } }),
      );
      expect(res.status).toBe(202);
      ids[i] = res.body.id;
    });

    /** Every page of a list, as Mary sees it. */
    async function pages(path: '/v1/conversations' | '/v1/queue', query: Record<string, unknown>) {
      const items: Conversation[] = [];
      let cursor: string | undefined;
      do {
        const res = await answer(
          // The filters as a query string takes them: `labels` as a list or comma-separated.
          asMary.GET(path, { params: { query: { ...query, limit: 200, cursor } as never } }),
        );
        expect(res.status).toBe(200);
        items.push(...res.body.items);
        cursor = res.body.nextCursor ?? undefined;
      } while (cursor);
      return items;
    }
    async function everything() {
      return (await pages('/v1/conversations', {})).filter((c) => ids.includes(c.id));
    }
    // Changes by a pattern; the expected lists are computed later from what the API then shows.
    const labelsOf = (i: number) =>
      [i % 3 === 0 && billing.id, i % 5 === 0 && bug.id, i % 7 === 0 && refund.id].filter((l): l is string =>
        Boolean(l),
      );
    const change = (i: number) => {
      const path = { params: { path: { id: ids[i] } } };
      const writes: Array<Promise<{ response: Response }>> = [];
      if (labelsOf(i).length)
        writes.push(asMary.PUT('/v1/conversations/{id}/labels', { ...path, body: { labels: labelsOf(i) } }));
      if (i % 4 === 0)
        writes.push(asMary.POST('/v1/conversations/{id}/status', { ...path, body: { status: 'pending' } }));
      if (i % 6 === 0)
        writes.push(
          asMary.POST('/v1/conversations/{id}/priority', { ...path, body: { priority: 'urgent' } }),
        );
      if (i % 8 === 0)
        writes.push(asMary.POST('/v1/conversations/{id}/assignment', { ...path, body: { agentId: 'me' } }));
      else if (i % 9 === 0)
        writes.push(asMary.POST('/v1/conversations/{id}/transfer', { ...path, body: { team: 'tier-2' } }));
      return writes;
    };
    // Each conversation exists before it is changed; its changes touch different fields.
    await waitFor(
      'the 1,000 conversations to exist',
      async () => (await everything()).length === 1000,
      60_000,
      500,
    );
    await inParallel(ids, async (_, i) => {
      for (const write of change(i)) expect([202]).toContain((await write).response.status);
    });

    const settled = (all: Conversation[]) =>
      all.length === 1000 &&
      all.every((c) => {
        const i = ids.indexOf(c.id);
        return (
          c.labels.join() === labelsOf(i).join() &&
          (i % 4 !== 0 || c.status === 'pending') &&
          (i % 6 !== 0 || c.priority === 'urgent') &&
          (i % 8 !== 0 || c.assigneeId === mary.id) &&
          (i % 8 === 0 || i % 9 !== 0 || c.team === 'tier-2')
        );
      });
    const data = await waitFor(
      'every change applied',
      async () => {
        const all = await everything();
        return settled(all) ? all : undefined;
      },
      60_000,
      500,
    );

    const idsOf = (list: Conversation[]) =>
      list
        .map((c) => c.id)
        .filter((id) => ids.includes(id))
        .sort();
    const expected = (keep: (c: Conversation) => boolean) => idsOf(data.filter(keep));
    const cases: Array<[Record<string, unknown>, (c: Conversation) => boolean]> = [
      [{ labels: [billing.id] }, (c) => c.labels.includes(billing.id)],
      [
        { labels: `${billing.id},${bug.id}` },
        (c) => c.labels.includes(billing.id) && c.labels.includes(bug.id),
      ],
      [
        { labels: [refund.id], status: 'pending' },
        (c) => c.labels.includes(refund.id) && c.status === 'pending',
      ],
      [
        { labels: [bug.id], status: 'pending', assignee: 'me' },
        (c) => c.labels.includes(bug.id) && c.status === 'pending' && c.assigneeId === mary.id,
      ],
      [{ assignee: 'none', priority: 'urgent' }, (c) => c.assigneeId === null && c.priority === 'urgent'],
      [{ team: 'tier-2', labels: [billing.id] }, (c) => c.team === 'tier-2' && c.labels.includes(billing.id)],
      [
        { assignee: mary.id, labels: [refund.id] },
        (c) => c.assigneeId === mary.id && c.labels.includes(refund.id),
      ],
    ];
    for (const [query, keep] of cases) {
      const want = expected(keep);
      expect(want.length).toBeGreaterThan(0);
      expect({ query, ids: idsOf(await pages('/v1/conversations', query)) }).toEqual({ query, ids: want });
    }
    const queued = expected(
      (c) => c.status === 'open' && c.assigneeId === null && c.labels.includes(refund.id),
    );
    expect(queued.length).toBeGreaterThan(0);
    expect(idsOf(await pages('/v1/queue', { labels: [refund.id] }))).toEqual(queued);
  }, 90_000);
});
