import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { createHmac } from 'node:crypto';
import { Client } from 'pg';
import { Browser, Page } from 'playwright-core';
import { createParleyClient } from '@parley/client';
import { StreamNames } from '@parley/contracts';
import {
  CHROMIUM,
  ParleySystem,
  requirePrerequisite,
  ServiceProcess,
  TEST_ADMIN_TOKEN,
  waitFor,
} from '@parley/testing';
import { answer, clientOf, newAgent } from './support/actors';
import { launchChromium } from './support/browser';

requirePrerequisite(CHROMIUM);
const UI_TIMEOUT_MS = 15_000;

/** What a business's backend does with nothing but its site's secret: sign its user in (HS256). */
function identityToken(secret: string, claims: Record<string, unknown>): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

const inSeconds = (seconds: number) => Math.floor(Date.now() / 1000) + seconds;

/** The claims of a token the site `siteId` signs for its user `sub`, valid for five minutes. */
const claimsFor = (siteId: string, sub: string, more: Record<string, unknown> = {}) => ({
  sub,
  iss: siteId,
  aud: 'parley',
  exp: inSeconds(300),
  ...more,
});

describe('sites sign their visitors in', () => {
  let system: ParleySystem;
  let secondGateway: ServiceProcess;
  const admin = () => clientOf(system, TEST_ADMIN_TOKEN);

  const createSite = async (allowAnonymous: boolean) => {
    const res = await answer(
      admin().POST('/v1/sites', {
        body: { name: allowAnonymous ? 'Help centre' : 'Shop', allowAnonymous },
        headers: { prefer: 'wait=10' },
      }),
    );
    expect(res.status).toBe(201);
    return res.body;
  };

  /** Exchanges an identity token (or none) for a customer token at a gateway. */
  const signIn = (siteId: string, token?: string, gatewayUrl = system.gatewayUrl) =>
    answer(
      createParleyClient(gatewayUrl, token).POST('/v1/sites/{id}/customers/token', {
        params: { path: { id: siteId } },
      }),
    );

  beforeAll(async () => {
    system = await ParleySystem.start();
    secondGateway = await system.startReplica('gateway');
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
  });

  it('a business backend holding only its site secret signs its user in, and the user writes', async () => {
    const site = await createSite(false);
    const token = identityToken(
      site.secret,
      claimsFor(site.id, 'crm-7', { name: 'Grace Hopper', email: 'grace@example.com' }),
    );

    const first = await signIn(site.id, token);
    expect(first.status).toBe(202);
    const again = await signIn(site.id, token);
    expect(again.body.id).toBe(first.body.id);

    const customer = clientOf(system, first.body.token);
    const opened = await answer(
      customer.POST('/v1/conversations', { body: { body: 'Where is my parcel?' } }),
    );
    expect(opened.status).toBe(202);
    await waitFor('the customer to see their conversation', async () => {
      const mine = await answer(customer.GET('/v1/conversations'));
      return mine.status === 200 && mine.body.items.some((c) => c.id === opened.body.id);
    });
  });

  it('keeps the secret sealed: neither the command stream nor the database holds it in clear, and the list of sites shows none', async () => {
    const site = await createSite(false);
    const db = new Client({ connectionString: system.database.url });
    const nc = await connect({ servers: system.nats.url });
    try {
      await db.connect();
      const { rows } = await db.query('SELECT sealed_secret FROM conversation.sites WHERE id = $1', [
        site.id,
      ]);
      expect(rows[0].sealed_secret).toMatch(/^sealed\.v1\./);
      expect(JSON.stringify(rows)).not.toContain(site.secret);

      const jsm = await jetstreamManager(nc);
      const { state } = await jsm.streams.info(StreamNames.commands);
      let siteCommands = 0;
      for (let seq = state.first_seq; seq <= state.last_seq; seq++) {
        const stored = await jsm.streams.getMessage(StreamNames.commands, { seq }).catch(() => null);
        const text = stored?.string() ?? '';
        expect(text).not.toContain(site.secret);
        // The registration carried the sealed secret (the audit trail's record of it names the site too).
        if (stored?.subject.endsWith('.conversation.site.register') && text.includes(site.id))
          siteCommands += 1;
      }
      expect(siteCommands).toBe(1);

      const listed = await answer(admin().GET('/v1/sites', { params: { query: { limit: 200 } } }));
      const item = listed.body.items.find((i) => i.id === site.id);
      expect(item).toMatchObject({ name: 'Shop', allowAnonymous: false, secretRotatedAt: null });
      expect(JSON.stringify(listed.body)).not.toContain('psite_');
    } finally {
      await db.end();
      await nc.close();
    }
  });

  it('answers 401 problem+json to a forged, wrong-site, expired or exp-less token, to a missing one and to an unknown site; 400 to one posing as an anonymous visitor', async () => {
    const site = await createSite(false);
    const other = await createSite(false);
    const refusals: Array<[string, string | undefined]> = [
      ['forged', identityToken(`${site.secret}x`, claimsFor(site.id, 'crm-8'))],
      ['signed for another site', identityToken(other.secret, claimsFor(other.id, 'crm-8'))],
      ['naming another site', identityToken(site.secret, claimsFor(other.id, 'crm-8'))],
      ['expired', identityToken(site.secret, claimsFor(site.id, 'crm-8', { exp: inSeconds(-120) }))],
      ['without exp', identityToken(site.secret, claimsFor(site.id, 'crm-8', { exp: undefined }))],
      [
        'valid for a day',
        identityToken(site.secret, claimsFor(site.id, 'crm-8', { exp: inSeconds(86_400) })),
      ],
      ['missing on a site without anonymous visitors', undefined],
    ];
    for (const [what, token] of refusals) {
      const res = await signIn(site.id, token);
      expect({ what, status: res.status, type: res.headers.get('content-type') }).toEqual({
        what,
        status: 401,
        type: expect.stringContaining('application/problem+json'),
      });
    }
    const posingAsAnonymous = identityToken(site.secret, claimsFor(site.id, 'anonymous:0192f7a0-1c2d-7e3f'));
    expect((await signIn(site.id, posingAsAnonymous)).status).toBe(400);
    expect(
      (await signIn('no-such-site', identityToken(site.secret, claimsFor('no-such-site', 'x')))).status,
    ).toBe(401);
  });

  it('lets neither an agent nor a customer mint customer tokens or manage sites', async () => {
    const agent = await newAgent(system);
    const asAgent = clientOf(system, agent);
    expect((await answer(asAgent.POST('/v1/customers', { body: { externalId: 'crm-9' } }))).status).toBe(403);
    expect((await answer(asAgent.POST('/v1/sites', { body: { name: 'Mine' } }))).status).toBe(403);
    const site = await createSite(false);
    const customer = await signIn(site.id, identityToken(site.secret, claimsFor(site.id, 'crm-10')));
    const asCustomer = clientOf(system, customer.body.token);
    const rotation = await answer(
      asCustomer.POST('/v1/sites/{id}/secret/rotate', { params: { path: { id: site.id } } }),
    );
    expect(rotation.status).toBe(403);
  });

  it('gives an anonymous visitor a customer of their own only where the site allows it', async () => {
    const open = await createSite(true);
    const closed = await createSite(false);

    const one = await signIn(open.id);
    const two = await signIn(open.id);
    expect([one.status, two.status]).toEqual([202, 202]);
    expect(one.body.id).not.toBe(two.body.id);
    const opened = await answer(
      clientOf(system, one.body.token).POST('/v1/conversations', { body: { body: 'Just browsing' } }),
    );
    expect(opened.status).toBe(202);

    expect((await signIn(closed.id)).status).toBe(401);

    // The admin lets them in after all, and out again: every gateway follows within seconds.
    const letIn = (allowAnonymous: boolean) =>
      answer(
        admin().POST('/v1/sites/{id}/anonymous-visitors', {
          params: { path: { id: closed.id } },
          body: { allowAnonymous },
          headers: { prefer: 'wait=10' },
        }),
      );
    const everywhere = async (status: number) =>
      (
        await Promise.all(
          [system.gatewayUrl, secondGateway.url].map((url) => signIn(closed.id, undefined, url)),
        )
      ).every((res) => res.status === status);
    expect((await letIn(true)).status).toBe(200);
    await waitFor('anonymous visitors let in on both gateways', () => everywhere(202), 5_000);
    expect((await letIn(false)).status).toBe(200);
    await waitFor('anonymous visitors turned away on both gateways', () => everywhere(401), 5_000);
  });

  it('after a rotation the old secret stops working and the new one works within seconds, on every gateway', async () => {
    const site = await createSite(false);
    const gateways = [system.gatewayUrl, secondGateway.url];
    const signedWith = (secret: string) => identityToken(secret, claimsFor(site.id, 'crm-11'));
    for (const url of gateways)
      expect((await signIn(site.id, signedWith(site.secret), url)).status).toBe(202);

    const rotated = await answer(
      admin().POST('/v1/sites/{id}/secret/rotate', {
        params: { path: { id: site.id } },
        headers: { prefer: 'wait=10' },
      }),
    );
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(site.secret);
    const appliedAt = Date.now();

    await waitFor(
      'the rotation on both gateways',
      async () => {
        const statuses = await Promise.all(
          gateways.flatMap((url) => [
            signIn(site.id, signedWith(site.secret), url),
            signIn(site.id, signedWith(rotated.body.secret), url),
          ]),
        );
        return statuses.every((res, i) => res.status === (i % 2 === 0 ? 401 : 202));
      },
      5_000,
    );
    expect(Date.now() - appliedAt).toBeLessThan(5_000);
  });

  describe('in the widget, in Chromium', () => {
    let browser: Browser;

    beforeAll(async () => {
      browser = await launchChromium();
    });

    afterAll(async () => {
      await browser?.close();
    });

    const writeIn = async (widget: Page, text: string) => {
      await widget.getByRole('textbox', { name: 'Message', exact: true }).fill(text);
      await widget.getByRole('button', { name: 'Send' }).click();
      await widget
        .getByRole('log', { name: 'Messages' })
        .getByText(text, { exact: true })
        .waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    };

    it('signs in the user the business page names with its backend-signed token', async () => {
      const site = await createSite(false);
      const token = identityToken(site.secret, claimsFor(site.id, 'crm-12', { name: 'Ada' }));
      const widget = await (await browser.newContext()).newPage();
      await widget.goto(`${system.gatewayUrl}/widget/#site=${site.id}&identity=${token}`);
      await writeIn(widget, 'Signed in by my shop');
      expect(new URL(widget.url()).hash).toBe('');

      // The same identity token, exchanged again, is the customer who wrote.
      const customer = clientOf(system, (await signIn(site.id, token)).body.token);
      await waitFor('the conversation, as the signed-in customer’s', async () => {
        const mine = await answer(customer.GET('/v1/conversations'));
        return mine.body.items?.some((c) => c.lastMessagePreview === 'Signed in by my shop');
      });
    });

    it('keeps an anonymous visitor on a site that allows them, and turns them away where it does not', async () => {
      const open = await createSite(true);
      const context = await browser.newContext();
      const widget = await context.newPage();
      await widget.goto(`${system.gatewayUrl}/widget/#site=${open.id}`);
      await writeIn(widget, 'Just browsing, a question');
      await widget.close();

      const back = await context.newPage();
      await back.goto(`${system.gatewayUrl}/widget/#site=${open.id}`);
      await back
        .getByRole('log', { name: 'Messages' })
        .getByText('Just browsing, a question', { exact: true })
        .waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });

      const closed = await createSite(false);
      const turnedAway = await (await browser.newContext()).newPage();
      await turnedAway.goto(`${system.gatewayUrl}/widget/#site=${closed.id}`);
      await turnedAway
        .getByRole('alert')
        .getByText('this page did not sign you in', { exact: false })
        .waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    });
  });
});
