import { createHmac } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, Locator, Page } from 'playwright-core';
import { followInbox, type TypingEvent } from '@parley/client';
import { CHROMIUM, ParleySystem, requirePrerequisite, TEST_ADMIN_TOKEN, waitFor } from '@parley/testing';
import {
  Actor,
  AGENT_PASSWORD,
  answer,
  clientOf,
  eventuallyConversation,
  newAgent,
  newCustomer,
  newSignedUpAgent,
  openConversation,
  setPresence,
  wholeInbox,
} from './support/actors';
import { startSystemAndBrowser } from './support/browser';

requirePrerequisite(CHROMIUM);
const UI_TIMEOUT_MS = 15_000;
const WAIT = { prefer: 'wait=10' };
const PHONE = { width: 390, height: 844 };
/** Screenshots of the phone-width views, kept as test artifacts (tmp/ is not committed). */
const ARTIFACTS = join(__dirname, '..', 'tmp', 'artifacts', 'customer-card');

/**
 * Issue 25's customer card, typing indicator, team presence and phone-width console, against the
 * whole system: what the business sets about a customer through the API reaches the agent's card,
 * typing travels both ways over the live stream without being stored, and at 390 px the list, the
 * conversation and the card are views of their own with nothing cut off.
 */
describe('the customer card, typing and the console on a phone', () => {
  let system: ParleySystem;
  let browser: Browser;
  const admin = () => clientOf(system, TEST_ADMIN_TOKEN);
  const visible = (locator: Locator) => locator.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
  const hidden = (locator: Locator) => locator.waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });

  const updateCustomer = (id: string, body: Record<string, unknown>) =>
    answer(
      admin().PATCH('/v1/customers/{id}', {
        params: { path: { id } },
        // Bad bodies are the point of some calls: the typed body would refuse to compile them.
        body: body as never,
        headers: WAIT,
      }),
    );
  const card = async (who: Actor | string, id: string) =>
    answer(clientOf(system, who).GET('/v1/customers/{id}', { params: { path: { id } } }));

  const assign = async (agent: Actor, conversationId: string) => {
    const res = await answer(
      clientOf(system, agent).POST('/v1/conversations/{id}/assignment', {
        params: { path: { id: conversationId } },
        body: { agentId: 'me' },
        headers: WAIT,
      }),
    );
    expect(res.status).toBe(200);
  };
  const resolve = async (agent: Actor, conversationId: string) => {
    const res = await answer(
      clientOf(system, agent).POST('/v1/conversations/{id}/status', {
        params: { path: { id: conversationId } },
        body: { status: 'resolved' },
        headers: WAIT,
      }),
    );
    expect(res.status).toBe(200);
  };
  const typing = (who: Actor, conversationId: string) =>
    answer(
      clientOf(system, who).POST('/v1/conversations/{id}/typing', {
        params: { path: { id: conversationId } },
      }),
    );

  /** The typing signals `who`'s live inbox stream carries, as the console and the widget read it. */
  const typingSeenBy = (who: Actor) => {
    const seen: TypingEvent[] = [];
    let live = false;
    const stream = followInbox({
      baseUrl: system.gatewayUrl,
      token: who.token,
      onEvent: () => undefined,
      onTyping: (t) => seen.push(t),
      onState: (state) => (live = state === 'live'),
    });
    return { seen, stream, live: () => waitFor('the stream to be live', async () => live || undefined) };
  };

  /** A customer with a resolved conversation before the open one, which `agent` handles. */
  const customerWithHistory = async (agent: Actor, externalId: string) => {
    const registered = await answer(
      admin().POST('/v1/customers', {
        body: { externalId, name: 'Grace Hopper', email: `${externalId}@example.com` },
        headers: WAIT,
      }),
    );
    expect(registered.status).toBe(201);
    const customer = registered.body;
    const earlier = await openConversation(system, customer, {
      subject: 'Broken parcel',
      body: 'It arrived broken.',
    });
    await assign(agent, earlier.id);
    await resolve(agent, earlier.id);
    const current = await openConversation(system, customer, { subject: 'Refund status', body: 'Any news?' });
    await assign(agent, current.id);
    return { customer, earlierId: earlier.id, currentId: current.id };
  };

  beforeAll(async () => {
    ({ system, browser } = await startSystemAndBrowser());
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await system?.stop();
  });

  describe('the customer card through the API', () => {
    it("merges the attributes the business sets, keeps the time zone, and lists the customer's earlier conversations", async () => {
      const agent = await newAgent(system);
      const { customer, earlierId, currentId } = await customerWithHistory(agent, 'crm-card-1');

      const first = await updateCustomer(customer.id, {
        attributes: { plan: 'pro', orders: 3, trial: true },
        timeZone: 'Europe/Berlin',
      });
      expect(first.status).toBe(200);
      const second = await updateCustomer(customer.id, { attributes: { orders: 4, trial: null } });
      expect(second.status).toBe(200);

      const res = await card(agent, customer.id);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        id: customer.id,
        externalId: 'crm-card-1',
        name: 'Grace Hopper',
        email: 'crm-card-1@example.com',
        attributes: { plan: 'pro', orders: 4 },
        timeZone: 'Europe/Berlin',
      });
      expect(Object.keys(res.body.attributes).sort()).toEqual(['orders', 'plan']);
      expect(res.body.conversations.map((c) => [c.id, c.subject, c.status])).toEqual([
        [currentId, 'Refund status', 'open'],
        [earlierId, 'Broken parcel', 'resolved'],
      ]);
      expect(res.body.conversations[0].lastMessageAt).toEqual(expect.any(String));
      // Leaving the zone out keeps it; null forgets it.
      expect((await updateCustomer(customer.id, { attributes: {} })).body).toMatchObject({
        timeZone: 'Europe/Berlin',
      });
      expect((await updateCustomer(customer.id, { timeZone: null })).body).toMatchObject({ timeZone: null });

      // The card is the business's and its agents', not the customer's.
      expect((await card(customer, customer.id)).status).toBe(403);
      expect(
        (
          await answer(
            clientOf(system, agent).PATCH('/v1/customers/{id}', {
              params: { path: { id: customer.id } },
              body: {},
            }),
          )
        ).status,
      ).toBe(403);
    });

    it('refuses bad attributes with 400 problem+json saying what is wrong, too many with 422, an unknown customer with 404', async () => {
      const customer = await newCustomer(system, 'crm-card-bad');
      await waitFor(
        'the customer to exist',
        async () => (await card(TEST_ADMIN_TOKEN, customer.id)).status === 200 || undefined,
      );
      const fiftyOne = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`a${i}`, i]));
      const cases: Array<[Record<string, unknown>, string]> = [
        [
          { attributes: { address: { city: 'Berlin' } } },
          'attributes.address must be a string, a number, a boolean or null',
        ],
        [{ attributes: { tags: ['a', 'b'] } }, 'attributes.tags must be a string'],
        [{ attributes: { 'plan name': 'pro' } }, 'a name is a letter'],
        [{ attributes: { note: 'x'.repeat(256) } }, 'attributes.note must be at most 255 characters'],
        [{ attributes: fiftyOne }, 'attributes may have at most 50 names'],
        [{ attributes: 'pro' }, 'attributes must be an object'],
        [{ timeZone: 'Mars/Olympus' }, 'timeZone must be an IANA time zone'],
        [{ attributes: {}, plan: 'pro' }, 'property plan should not exist'],
      ];
      for (const [body, message] of cases) {
        const res = await updateCustomer(customer.id, body);
        expect(res.status).toBe(400);
        expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(JSON.stringify(res.body)).toContain(message);
      }

      const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`a${i}`, i]));
      expect((await updateCustomer(customer.id, { attributes: fifty })).status).toBe(200);
      const tooMany = await updateCustomer(customer.id, { attributes: { one_more: 1 } });
      expect(tooMany.status).toBe(422);
      expect(tooMany.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      // Replacing one while removing another stays within the limit.
      expect((await updateCustomer(customer.id, { attributes: { a0: null, one_more: 1 } })).status).toBe(200);

      expect((await updateCustomer('no-such-customer', { attributes: { plan: 'pro' } })).status).toBe(404);
      expect((await card(TEST_ADMIN_TOKEN, 'no-such-customer')).status).toBe(404);
    });

    it("takes the time zone from a site's identity token (tz), and the availability says whether the team is online", async () => {
      const site = await answer(admin().POST('/v1/sites', { body: { name: 'Card shop' }, headers: WAIT }));
      expect(site.status).toBe(201);
      const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const claims = {
        sub: 'visitor-tz',
        tz: 'Asia/Tokyo',
        iss: site.body.id,
        aud: 'parley',
        exp: Math.floor(Date.now() / 1000) + 300,
      };
      const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
      const identity = `${unsigned}.${createHmac('sha256', site.body.secret).update(unsigned).digest('base64url')}`;
      const visitor = await answer(
        clientOf(system, identity).POST('/v1/sites/{id}/customers/token', {
          params: { path: { id: site.body.id } },
          headers: WAIT,
        }),
      );
      expect(visitor.status).toBe(201);
      expect((await card(TEST_ADMIN_TOKEN, visitor.body.id)).body).toMatchObject({ timeZone: 'Asia/Tokyo' });

      const availability = () =>
        answer(
          clientOf(system).GET('/v1/sites/{id}/availability', { params: { path: { id: site.body.id } } }),
        );
      const agent = await newAgent(system);
      await setPresence(system, agent, 'online');
      expect((await availability()).body).toMatchObject({ agentsOnline: true });
    });
  });

  describe('typing', () => {
    it('reaches the other side over the live stream both ways, at most once per 2 s, and is never stored', async () => {
      const agent = await newAgent(system);
      const customer = await newCustomer(system, 'crm-typing');
      const { id } = await openConversation(system, customer, { body: 'Are you there?' });
      await assign(agent, id);
      const agentSide = typingSeenBy(agent);
      const customerSide = typingSeenBy(customer);
      try {
        await Promise.all([agentSide.live(), customerSide.live()]);

        expect((await typing(customer, id)).status).toBe(204);
        await waitFor(
          'the agent to see the customer typing',
          async () => agentSide.seen.length > 0 || undefined,
        );
        expect(agentSide.seen[0]).toMatchObject({
          conversationId: id,
          authorId: customer.id,
          authorRole: 'customer',
        });

        expect((await typing(agent, id)).status).toBe(204);
        await waitFor(
          'the customer to see the agent typing',
          async () => customerSide.seen.length > 0 || undefined,
        );
        expect(customerSide.seen[0]).toMatchObject({
          conversationId: id,
          authorId: agent.id,
          authorRole: 'agent',
        });

        // Again at once: answered, but not passed on.
        expect((await typing(customer, id)).status).toBe(204);
        await new Promise((r) => setTimeout(r, 500));
        expect(agentSide.seen).toHaveLength(1);
        // Nobody is told of their own typing.
        expect(customerSide.seen.every((t) => t.authorId !== customer.id)).toBe(true);
      } finally {
        agentSide.stream.close();
        customerSide.stream.close();
      }

      // Ephemeral: in no inbox.
      for (const who of [agent, customer])
        expect((await wholeInbox(system, who)).some((e) => (e.type as string) === 'typing')).toBe(false);
      // Another customer's conversation is none of theirs.
      const stranger = await newCustomer(system, 'crm-typing-stranger');
      const refused = await typing(stranger, id);
      expect(refused.status).toBe(404);
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    });
  });

  describe('in Chromium at 390 × 844', () => {
    /** Nothing wider than the screen, and each element given fully within it. */
    const fitsThePhone = async (page: Page, ...elements: Locator[]) => {
      expect(await page.evaluate<number>('document.scrollingElement.scrollWidth')).toBeLessThanOrEqual(
        PHONE.width,
      );
      for (const element of elements) {
        const box = await element.boundingBox();
        expect(box).not.toBeNull();
        if (!box) continue;
        expect(box.x).toBeGreaterThanOrEqual(0);
        expect(box.y).toBeGreaterThanOrEqual(0);
        expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width + 0.5);
        expect(box.y + box.height).toBeLessThanOrEqual(PHONE.height + 0.5);
      }
    };
    const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });

    it('shows the list, the conversation and the customer card as separate views, with typing both ways and nothing cut off', async () => {
      await newSignedUpAgent(system, {
        name: 'Ada Lovelace',
        email: 'ada.card@example.com',
        password: AGENT_PASSWORD,
      });
      const ada = await answer(
        clientOf(system).POST('/v1/sessions', {
          body: { email: 'ada.card@example.com', password: AGENT_PASSWORD },
        }),
      );
      const agent = { id: ada.body.agentId, token: ada.body.token };
      const { customer, currentId } = await customerWithHistory(agent, 'crm-card-phone');
      expect(
        (
          await updateCustomer(customer.id, {
            attributes: { plan: 'pro', orders: 12 },
            timeZone: 'America/New_York',
          })
        ).status,
      ).toBe(200);
      await eventuallyConversation(
        system,
        agent,
        currentId,
        'assigned to Ada',
        (c) => c.assigneeId === agent.id,
      );

      const phone = await browser.newContext({ viewport: PHONE });
      try {
        const console = await phone.newPage();
        await console.goto(`${system.gatewayUrl}/console/`);
        await console.getByLabel('Email').fill('ada.card@example.com');
        await console.getByLabel('Password').fill(AGENT_PASSWORD);
        await console.getByRole('button', { name: 'Sign in' }).click();

        // The list, alone.
        const list = console.getByRole('list', { name: 'My conversations' });
        const row = list.getByRole('listitem').filter({ hasText: 'Refund status' });
        await visible(row);
        await fitsThePhone(console, row, console.getByRole('tab', { name: /Mine/ }));
        await shot(console, '1-list');

        // The conversation, alone, with a way back.
        await row.click();
        const title = console.getByRole('heading', { name: 'Refund status' });
        await visible(title);
        await hidden(list);
        const history = console.getByRole('log', { name: 'Messages' });
        await visible(history.getByText('Any news?', { exact: true }));
        const reply = console.getByRole('textbox', { name: 'Reply to the customer' });
        const send = console.getByRole('button', { name: 'Send', exact: true });
        await fitsThePhone(
          console,
          title,
          reply,
          send,
          console.getByRole('button', { name: '← Conversations' }),
        );
        expect((await history.boundingBox())?.width).toBeGreaterThan(PHONE.width * 0.8);

        // Typing, both ways: the customer in the widget, Ada in the console.
        const widget = await phone.newPage();

        await widget.goto(`${system.gatewayUrl}/widget/#token=${customer.token}`);
        await visible(widget.getByRole('log', { name: 'Messages' }).getByText('Any news?', { exact: true }));
        // As a person types, for longer than the 2 s between signals: one lost signal (they are
        // ephemeral) only delays the indicator.
        await widget
          .getByRole('textbox', { name: 'Message' })
          .pressSequentially('Hello, is anyone there?', { delay: 120 });
        await visible(console.getByText('The customer is typing…'));
        await shot(console, '2-conversation-customer-typing');
        await reply.pressSequentially('Let me check with the warehouse', { delay: 120 });
        await visible(widget.getByText('Support is typing…'));
        await shot(widget, '3-widget-agent-typing');

        // The customer's card, alone, with a way back.
        await console.getByRole('button', { name: 'Customer →' }).click();
        const cardView = console.getByRole('complementary', { name: 'Grace Hopper' });
        await visible(cardView);
        await hidden(title);
        await visible(cardView.getByText('crm-card-phone@example.com'));
        await visible(cardView.getByText('crm-card-phone', { exact: true }));
        await visible(cardView.getByText('plan', { exact: true }));
        await visible(cardView.getByText('pro', { exact: true }));
        await visible(cardView.getByText('12', { exact: true }));
        const localTime = cardView.getByText('(America/New_York)');
        await visible(localTime);
        const expected = new Intl.DateTimeFormat('en-US', {
          timeZone: 'America/New_York',
          hour: '2-digit',
          minute: '2-digit',
          weekday: 'short',
        });
        expect(await cardView.locator('.local-time').innerText()).toContain(
          expected.format(new Date()).slice(0, 3),
        );
        const earlier = cardView.getByRole('button', { name: 'Broken parcel' });
        await visible(earlier);
        await visible(cardView.getByText(/^resolved ·/));
        const back = cardView.getByRole('button', { name: '← Conversation' });
        await fitsThePhone(console, cardView, earlier, back);
        // The card takes the screen's width, as the conversation did.
        expect((await cardView.boundingBox())?.width).toBeGreaterThan(PHONE.width * 0.9);
        await shot(console, '4-customer-card');

        await back.click();
        await visible(title);
        await hidden(cardView);
      } finally {
        await phone.close();
      }
    });

    it('the widget without a token, or with a bad one, says what is wrong, styled', async () => {
      const phone = await browser.newContext({ viewport: PHONE });
      try {
        const page = await phone.newPage();
        await page.goto(`${system.gatewayUrl}/widget/`);
        const alert = page.getByRole('alert');
        await visible(alert.getByRole('heading', { name: 'This chat was opened without signing you in' }));
        await visible(alert.getByText('#token=', { exact: false }));
        // In the page, where the DOM is: the card's computed look.
        const look = await page.evaluate<{ border: string; radius: string; align: string }>(
          `(() => { const style = getComputedStyle(document.querySelector('.unavailable-card')); return { border: style.borderTopWidth, radius: style.borderTopLeftRadius, align: style.textAlign }; })()`,
        );
        expect(look).toEqual({ border: '4px', radius: '10px', align: 'center' });
        await fitsThePhone(page, alert);
        await shot(page, '5-widget-without-a-token');

        const badToken = await phone.newPage();
        await badToken.goto(`${system.gatewayUrl}/widget/#token=not-a-token`);
        await visible(badToken.getByRole('heading', { name: 'The sign-in on this page is not valid' }));
        await shot(badToken, '6-widget-with-a-bad-token');
      } finally {
        await phone.close();
      }
    });
  });
});
