import { createHmac } from 'node:crypto';
import { DateTime } from 'luxon';
import { Browser, Locator } from 'playwright-core';
import { LinkSigner } from '@parley/secrets';
import {
  CHROMIUM,
  ParleySystem,
  requirePrerequisite,
  TEST_ADMIN_TOKEN,
  TEST_SECRET_KEY,
  waitFor,
} from '@parley/testing';
import {
  Actor,
  answer,
  clientOf,
  conversationAs,
  eventuallyConversation,
  newAgent,
  newSignedUpAgent,
  openConversation,
  wholeInbox,
} from './support/actors';
import { startSystemAndBrowser } from './support/browser';

requirePrerequisite(CHROMIUM);
const UI_TIMEOUT_MS = 15_000;
const WAIT = { prefer: 'wait=10' };
const PASSWORD = 'correct horse battery staple';

/** What a business's backend does with its site's secret: sign its user in (HS256). */
function identityToken(secret: string, siteId: string, sub: string): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const claims = { sub, iss: siteId, aud: 'parley', exp: Math.floor(Date.now() / 1000) + 300 };
  const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

/** What the mail service puts in a rating email's links, under the key ring every service shares. */
const links = LinkSigner.fromKeyRing(TEST_SECRET_KEY);
const ratingToken = (conversationId: string, expiresAt = DateTime.now().plus({ days: 30 }).toJSDate()) =>
  links.sign('rate conversation', { conversationId }, expiresAt);

/**
 * Issue 24's promises about expectations and satisfaction, against the whole system: a site's
 * business hours with the automatic reply and the widget's "back at", the usual reply time, and
 * ratings from the widget and from an email's link adding up in the CSAT report.
 */
describe('business hours, reply times and ratings', () => {
  let system: ParleySystem;
  let browser: Browser;
  let serial = 0;
  const admin = () => clientOf(system, TEST_ADMIN_TOKEN);
  const visible = (locator: Locator) => locator.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });

  const createSite = async (name: string) => {
    const res = await answer(admin().POST('/v1/sites', { body: { name }, headers: WAIT }));
    expect(res.status).toBe(201);
    return res.body;
  };

  /** A visitor the site's backend signs in: their token names the site. */
  const siteCustomer = async (site: { id: string; secret: string }): Promise<Actor> => {
    serial += 1;
    const res = await answer(
      clientOf(system, identityToken(site.secret, site.id, `visitor-${serial}`)).POST(
        '/v1/sites/{id}/customers/token',
        { params: { path: { id: site.id } }, headers: WAIT },
      ),
    );
    expect(res.status).toBe(201);
    return res.body;
  };

  const configure = async (siteId: string, settings: Record<string, unknown>) =>
    answer(
      admin().PUT('/v1/sites/{id}/settings', {
        params: { path: { id: siteId } },
        body: settings,
        headers: WAIT,
      }),
    );

  const availability = async (siteId: string) => {
    // Nobody signed in: the widget asks before its visitor has a token.
    const res = await answer(
      clientOf(system).GET('/v1/sites/{id}/availability', { params: { path: { id: siteId } } }),
    );
    expect(res.status).toBe(200);
    return res.body;
  };

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

  const setStatus = async (agent: Actor, conversationId: string, status: 'open' | 'resolved') => {
    const res = await answer(
      clientOf(system, agent).POST('/v1/conversations/{id}/status', {
        params: { path: { id: conversationId } },
        body: { status },
        headers: WAIT,
      }),
    );
    expect(res.status).toBe(200);
  };

  /** A conversation of a new customer of the site, handled by `agent` and resolved. */
  const resolvedConversation = async (site: { id: string; secret: string }, agent: Actor) => {
    const customer = await siteCustomer(site);
    const { id } = await openConversation(system, customer, { body: 'Can I change my delivery address?' });
    await assign(agent, id);
    await setStatus(agent, id, 'resolved');
    return { customer, id };
  };

  const rateInWidget = (customer: Actor, id: string, body: { score: number; comment?: string }) =>
    answer(
      clientOf(system, customer).POST('/v1/conversations/{id}/rating', {
        params: { path: { id } },
        body,
        headers: WAIT,
      }),
    );

  const rateByLink = (body: { token: string; score: number; comment?: string }) =>
    answer(clientOf(system).POST('/v1/ratings', { body, headers: WAIT }));

  beforeAll(async () => {
    ({ system, browser } = await startSystemAndBrowser());
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await system?.stop();
  });

  describe('business hours', () => {
    it('out of hours, the first message gets the automatic reply once, the site is closed until its next opening, and the widget says when the team is back', async () => {
      const site = await createSite('Night shop');
      // Hours only tomorrow in Tokyo, and today a holiday there: now is out of hours whenever this runs.
      const today = DateTime.now().setZone('Asia/Tokyo');
      const tomorrow = today.plus({ days: 1 });
      const autoReply = "Thanks for writing! We're closed right now and will answer when we're back.";
      const settings = {
        timeZone: 'Asia/Tokyo',
        hours: [{ day: tomorrow.weekday, opens: '09:00', closes: '17:30' }],
        holidays: [today.toISODate()],
        expectedReplyMinutes: 45,
        autoReply,
      };
      const configured = await configure(site.id, settings);
      expect(configured.status).toBe(200);
      expect(configured.body).toEqual({
        siteId: site.id,
        name: 'Night shop',
        ...settings,
        notifyDelaySeconds: 120,
        conversationUrl: null,
      });

      const closed = await availability(site.id);
      expect(closed).toEqual({
        open: false,
        nextOpenAt: tomorrow.set({ hour: 9, minute: 0, second: 0, millisecond: 0 }).toUTC().toISO(),
        timeZone: 'Asia/Tokyo',
        usualReplySeconds: 45 * 60,
        // No agent has come online yet in this system.
        agentsOnline: false,
      });

      const customer = await siteCustomer(site);
      const api = clientOf(system, customer);
      const { id } = await openConversation(system, customer, { body: 'Is my order on its way?' });
      expect((await conversationAs(system, customer, id)).siteId).toBe(site.id);
      const second = await answer(
        api.POST('/v1/conversations/{id}/messages', {
          params: { path: { id } },
          body: { body: 'Order #4711, by the way.' },
          headers: WAIT,
        }),
      );
      expect(second.status).toBe(201);

      const messages = await waitFor('three messages', async () => {
        const res = await answer(
          api.GET('/v1/conversations/{id}/messages', { params: { path: { id }, query: { limit: 50 } } }),
        );
        return res.status === 200 && res.body.items.length === 3 ? res.body.items : undefined;
      });
      expect(messages.map((m) => [m.seq, m.authorRole, m.body])).toEqual([
        [1, 'customer', 'Is my order on its way?'],
        [2, 'agent', autoReply],
        [3, 'customer', 'Order #4711, by the way.'],
      ]);
      expect(messages[1].authorId).toBe(site.id);
      const events = await wholeInbox(system, customer);
      const automatic = events.filter((e) => e.type === 'message.created' && e.data.via === 'automatic');
      expect(automatic.map((e) => e.data.body)).toEqual([autoReply]);
      const created = events.find((e) => e.type === 'conversation.created' && e.conversationId === id);
      expect(created?.data.siteId).toBe(site.id);

      const page = await browser.newPage();
      try {
        await page.goto(`${system.gatewayUrl}/widget/#token=${customer.token}`);
        // In the visitor's language and time zone: Chromium's here are en-US and UTC.
        const opening = DateTime.fromISO(closed.nextOpenAt ?? '', { zone: 'UTC' });
        const ahead = opening.startOf('day').diff(DateTime.utc().startOf('day'), 'days').days;
        const day = ahead === 0 ? 'today' : ahead === 1 ? 'tomorrow' : opening.toFormat('cccc');
        await visible(page.getByText(`We're back ${day} at ${opening.toFormat('hh:mm a')}.`));
        await visible(page.getByText('Usually replies within an hour.'));
        await visible(page.getByText(/^Automatic reply ·/));

        // Agents see it marked too.
        await newSignedUpAgent(system, {
          name: 'Grace Hopper',
          email: 'grace.hours@example.com',
          password: PASSWORD,
        });
        await page.goto(`${system.gatewayUrl}/console/conversations/${id}`);
        await page.getByLabel('Email').fill('grace.hours@example.com');
        await page.getByLabel('Password').fill(PASSWORD);
        await page.getByRole('button', { name: 'Sign in' }).click();
        const reply = page
          .getByRole('log', { name: 'Messages' })
          .getByRole('listitem')
          .filter({ hasText: autoReply });
        await visible(reply.getByText('Automatic reply', { exact: true }));
      } finally {
        await page.close();
      }
    });

    it('measures the usual reply time from first responses, and the automatic reply is none', async () => {
      const site = await createSite('Day shop');
      expect((await configure(site.id, { expectedReplyMinutes: 240 })).status).toBe(200);
      const agent = await newAgent(system);
      const customer = await siteCustomer(site);
      const { id } = await openConversation(system, customer, { body: 'Hello?' });
      expect((await availability(site.id)).usualReplySeconds).toBe(240 * 60);

      await assign(agent, id);
      const reply = await answer(
        clientOf(system, agent).POST('/v1/conversations/{id}/messages', {
          params: { path: { id } },
          body: { body: 'Hi! How can I help?' },
          headers: WAIT,
        }),
      );
      expect(reply.status).toBe(201);
      const measured = await availability(site.id);
      expect(measured.open).toBe(true);
      expect(measured.nextOpenAt).toBeNull();
      expect(measured.usualReplySeconds).toBeLessThan(60);
    });

    it('refuses settings that make no sense, with the field to fix', async () => {
      const site = await createSite('Strict shop');
      for (const [settings, field] of [
        [{ hours: [{ day: 1, opens: '17:00', closes: '09:00' }] }, 'hours'],
        [{ hours: [{ day: 8, opens: '09:00', closes: '17:00' }] }, 'hours'],
        [{ timeZone: 'Mars/Olympus_Mons' }, 'timeZone'],
        [{ holidays: ['24.12.2026'] }, 'holidays'],
        [{ expectedReplyMinutes: 0 }, 'expectedReplyMinutes'],
        [{ conversationUrl: 'https://shop.example/help' }, 'conversationUrl'],
        [{ conversationUrl: 'javascript:alert({conversationId})' }, 'conversationUrl'],
      ] as const) {
        const res = await configure(site.id, settings);
        expect(res.status).toBe(400);
        expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(JSON.stringify(res.body)).toContain(field);
      }
    });
  });

  describe('ratings', () => {
    it('rates from the widget and from an email link; CSAT adds them up per site and per agent', async () => {
      const site = await createSite('Rated shop');
      const [ada, bob] = [await newAgent(system), await newAgent(system)];
      const first = await resolvedConversation(site, ada);
      const second = await resolvedConversation(site, ada);
      const third = await resolvedConversation(site, bob);

      const rated = await rateInWidget(first.customer, first.id, { score: 5, comment: 'Super quick!' });
      expect(rated.status).toBe(200);
      expect('rating' in rated.body && rated.body.rating).toEqual({
        score: 5,
        comment: 'Super quick!',
        via: 'widget',
        ratedAt: expect.any(String),
      });
      // A second thought replaces the first.
      expect((await rateInWidget(first.customer, first.id, { score: 4 })).status).toBe(200);
      const seen = await conversationAs(system, ada, first.id);
      expect(seen.rating).toMatchObject({ score: 4, comment: null, via: 'widget' });

      const byLink = await rateByLink({ token: ratingToken(second.id), score: 2, comment: 'Took days.' });
      expect(byLink.status).toBe(200);
      expect((await conversationAs(system, ada, second.id)).rating).toMatchObject({
        score: 2,
        comment: 'Took days.',
        via: 'email',
      });
      expect((await rateInWidget(third.customer, third.id, { score: 5 })).status).toBe(200);

      const csat = await answer(admin().GET('/v1/reports/csat', { params: { query: { siteId: site.id } } }));
      expect(csat.status).toBe(200);
      expect(csat.body).toEqual({
        overall: { ratings: 3, averageScore: 3.67, csat: 66.67 },
        bySite: [{ siteId: site.id, ratings: 3, averageScore: 3.67, csat: 66.67 }],
        byAgent: expect.arrayContaining([
          { agentId: ada.id, ratings: 2, averageScore: 3, csat: 50 },
          { agentId: bob.id, ratings: 1, averageScore: 5, csat: 100 },
        ]),
      });
      expect(csat.body.byAgent).toHaveLength(2);
      const adaOnly = await answer(
        admin().GET('/v1/reports/csat', { params: { query: { siteId: site.id, agentId: ada.id } } }),
      );
      expect(adaOnly.body.overall).toEqual({ ratings: 2, averageScore: 3, csat: 50 });
      const agentAsks = await answer(clientOf(system, ada).GET('/v1/reports/csat', {}));
      expect(agentAsks.status).toBe(403);

      // The agent it counts for hears of the rating; the customer who gave it does not.
      await waitFor('the rating in the agent’s inbox', async () =>
        (await wholeInbox(system, ada)).some(
          (e) => e.type === 'conversation.rated' && e.conversationId === second.id,
        ),
      );
      const customerEvents = await wholeInbox(system, second.customer);
      expect(customerEvents.some((e) => e.type === 'conversation.rated')).toBe(false);
    });

    it('refuses a forged, foreign or expired link with 401, and a conversation not resolved with 409, changing nothing', async () => {
      const site = await createSite('Careful shop');
      const agent = await newAgent(system);
      const done = await resolvedConversation(site, agent);
      const [body, kid, mac] = ratingToken(done.id).split('.');
      const forgedFor = Buffer.from(JSON.stringify({ conversationId: done.id, exp: 9_999_999_999 }));
      for (const token of [
        `${forgedFor.toString('base64url')}.${kid}.${mac}`,
        `${body}.${kid}.${mac.slice(0, -2)}AA`,
        links.sign('unsubscribe', { conversationId: done.id }),
        ratingToken(done.id, DateTime.now().minus({ minutes: 1 }).toJSDate()),
      ]) {
        const res = await rateByLink({ token, score: 1 });
        expect(res.status).toBe(401);
        expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      }
      expect((await conversationAs(system, agent, done.id)).rating).toBeNull();

      const customer = await siteCustomer(site);
      const { id: open } = await openConversation(system, customer, { body: 'Still waiting.' });
      const early = await rateInWidget(customer, open, { score: 5 });
      expect(early.status).toBe(409);
      expect(early.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect((await rateByLink({ token: ratingToken(open), score: 5 })).status).toBe(409);
      expect((await rateInWidget(customer, done.id, { score: 5 })).status).toBe(404);
      expect((await rateInWidget(done.customer, done.id, { score: 6 })).status).toBe(400);
      expect((await conversationAs(system, customer, open)).rating).toBeNull();
      expect((await conversationAs(system, agent, done.id)).rating).toBeNull();
    });

    it('in Chromium: the widget shows the usual reply time and asks for a rating, an email link preselects a score and sends nothing until asked, and the console shows the rating', async () => {
      const site = await createSite('Browser shop');
      expect((await configure(site.id, { expectedReplyMinutes: 20 })).status).toBe(200);
      // Bob handles the conversation; Ada, in the console, opens it and sees how it was rated.
      const bob = await newAgent(system);
      await newSignedUpAgent(system, {
        name: 'Ada Lovelace',
        email: 'ada.ratings@example.com',
        password: PASSWORD,
      });
      const { customer, id } = await resolvedConversation(site, bob);

      const context = await browser.newContext();
      try {
        const widget = await context.newPage();
        await widget.goto(`${system.gatewayUrl}/widget/#token=${customer.token}`);
        await visible(widget.getByText('Usually replies within 30 minutes.'));
        await visible(widget.getByRole('group', { name: 'How did we do?' }));
        await widget.locator('label', { hasText: '4 of 5, Good' }).click();
        await widget.getByLabel('Comment (optional)').fill('Friendly and clear.');
        await widget.getByRole('button', { name: 'Send rating' }).click();
        await visible(widget.getByText('Thank you for your rating!'));
        expect((await conversationAs(system, customer, id)).rating).toMatchObject({
          score: 4,
          comment: 'Friendly and clear.',
          via: 'widget',
        });

        // The email's "2" link: the form opens with 2 chosen, and only pressing Send rates.
        const link = await context.newPage();
        await link.goto(`${system.gatewayUrl}/widget/?rate=${encodeURIComponent(ratingToken(id))}&score=2`);
        await visible(link.getByRole('heading', { name: 'Rate your conversation' }));
        expect(await link.getByRole('radio', { name: '2 of 5, Poor' }).isChecked()).toBe(true);
        expect((await conversationAs(system, customer, id)).rating?.score).toBe(4);
        await link.getByRole('button', { name: 'Send rating' }).click();
        await visible(link.getByText('Thank you for your rating!'));
        await eventuallyConversation(
          system,
          customer,
          id,
          'the emailed rating',
          (c) => c.rating?.via === 'email',
        );

        const console = await context.newPage();
        await console.goto(`${system.gatewayUrl}/console/conversations/${id}`);
        await console.getByLabel('Email').fill('ada.ratings@example.com');
        await console.getByLabel('Password').fill(PASSWORD);
        await console.getByRole('button', { name: 'Sign in' }).click();
        const rating = console.getByRole('region', { name: 'Customer rating' });
        await visible(rating.getByText('Rated 2 of 5'));
        await visible(rating.getByText('from the email', { exact: false }));
      } finally {
        await context.close();
      }
    });
  });
});
