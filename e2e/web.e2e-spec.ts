import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { CHROMIUM, ParleySystem, requirePrerequisite } from '@parley/testing';
import { Actor, newCustomer, newSignedUpAgent } from './support/actors';
import { startSystemAndBrowser } from './support/browser';

requirePrerequisite(CHROMIUM);
/** One screenshot per step of the story, kept as test artifacts (tmp/ is not committed). */
const ARTIFACTS = join(__dirname, '..', 'tmp', 'artifacts', 'web');
const UI_TIMEOUT_MS = 15_000;
/** Added to loopback when the machine has no other address (TEST-NET-2, RFC 5737): not localhost to a browser. */
const SPARE_ADDRESS = '198.51.100.80';

/**
 * An address of this machine at which a browser does not treat plain HTTP as secure, as it does
 * localhost: a network interface's own, or else one this test adds (as root) and later removes.
 */
function reachableAddress(): { address: string; remove?: () => void } {
  const own = Object.values(networkInterfaces())
    .flat()
    .find((a) => a?.family === 'IPv4' && !a.internal);
  if (own) return { address: own.address };
  execFileSync('ip', ['address', 'add', `${SPARE_ADDRESS}/32`, 'dev', 'lo']);
  return {
    address: SPARE_ADDRESS,
    remove: () => execFileSync('ip', ['address', 'del', `${SPARE_ADDRESS}/32`, 'dev', 'lo']),
  };
}

/**
 * The story of issue 10 in a real browser, against the whole system started as OS processes: the
 * gateway serves the built console (/console) and widget (/widget), which use only the public API.
 */
describe('the agent console and the customer widget in Chromium', () => {
  let system: ParleySystem;
  let browser: Browser;
  let step = 0;

  const shot = async (page: Page, name: string) => {
    step += 1;
    await page.screenshot({ path: join(ARTIFACTS, `${String(step).padStart(2, '0')}-${name}.png`) });
  };
  const visible = (locator: Locator) => locator.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
  const hidden = (locator: Locator) => locator.waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });
  const messagesOf = (page: Page) => page.getByRole('log', { name: 'Messages' });
  /** How many times a message's text is on screen: the point of "once". */
  const shown = (page: Page, text: string) => messagesOf(page).getByText(text, { exact: true }).count();

  const openWidget = async (context: BrowserContext, customer: Actor, origin = system.gatewayUrl) => {
    const page = await context.newPage();
    // As a business's page embeds it: the customer token, from the business's backend, in the fragment.
    await page.goto(`${origin}/widget/#token=${customer.token}`);
    await visible(page.getByRole('heading', { name: 'Chat with us' }));
    return page;
  };
  const customerWrites = async (widget: Page, text: string) => {
    await widget.getByRole('textbox', { name: 'Message', exact: true }).fill(text);
    await widget.getByRole('button', { name: 'Send' }).click();
    await visible(messagesOf(widget).getByText(text, { exact: true }));
  };
  /** The agent replies from the composer with the keyboard, as agents do. */
  const agentReplies = async (console: Page, text: string) => {
    const composer = console.getByLabel('Reply to the customer');
    await composer.fill(text);
    await composer.press('Enter');
    await visible(messagesOf(console).getByText(text, { exact: true }));
  };
  /**
   * Waits until everything this page sent is confirmed by its own inbox event. Events arrive in
   * inbox order, so by then every earlier event (a catch-up after a drop or a return) was handled.
   */
  const settled = (page: Page) => hidden(page.locator('.message.pending').first());

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    ({ system, browser } = await startSystemAndBrowser());
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await system?.stop();
  });

  it('a customer writes while no agent is online; an agent signs in later, claims it from the queue, reads and replies; the widget shows the reply live, and after being closed, both replies written meanwhile once each; the console resumes after a network drop without a duplicate', async () => {
    const ada = { name: 'Ada Lovelace', email: 'ada@example.com', password: 'correct horse battery staple' };
    await newSignedUpAgent(system, ada);
    const customer = await newCustomer(system, 'crm-web-1');

    // A customer on a phone writes while nobody is online (a new agent is offline).
    const customerSide = await browser.newContext({ viewport: { width: 375, height: 720 } });
    let widget = await openWidget(customerSide, customer);
    await customerWrites(widget, 'Hello, my parcel #1234 has not arrived.');
    await visible(widget.getByText('Sent', { exact: false }));
    await shot(widget, 'customer-writes-while-no-agent-is-online');

    // Later an agent signs in with their email and password, and finds it in the queue.
    const agentSide = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const console = await agentSide.newPage();
    await console.goto(`${system.gatewayUrl}/console/`);
    await console.getByLabel('Email').fill(ada.email);
    await console.getByLabel('Password').fill(ada.password);
    await shot(console, 'agent-signs-in');
    await console.getByRole('button', { name: 'Sign in' }).click();
    await visible(console.getByText('Ada Lovelace'));
    await console.getByRole('tab', { name: /Queue/ }).click();
    const queued = console
      .getByRole('list', { name: 'Queue' })
      .getByRole('button', { name: /my parcel #1234 has not arrived/ });
    await visible(queued);
    expect(await queued.getByLabel('1 unread').count()).toBe(1);
    expect(await queued.textContent()).toMatch(/normal/);
    await shot(console, 'agent-sees-it-in-the-queue');

    // The agent opens it, reads the history and claims it.
    await queued.click();
    await visible(messagesOf(console).getByText('Hello, my parcel #1234 has not arrived.', { exact: true }));
    await console.getByRole('button', { name: 'Claim' }).click();
    await visible(console.getByText('Assigned to you', { exact: true }));
    await visible(
      console.getByRole('list', { name: 'My conversations' }).getByRole('button', { name: /parcel/ }),
    );
    await shot(console, 'agent-claims-and-reads-the-history');

    // The reply reaches the open widget live; the customer sees their message was read.
    await agentReplies(console, 'Sorry about that! It left our warehouse this morning.');
    await visible(messagesOf(widget).getByText('Sorry about that! It left our warehouse this morning.'));
    await visible(widget.getByText('Read', { exact: false }));
    await settled(console);
    await shot(console, 'agent-replies');
    await shot(widget, 'widget-shows-the-reply-live');

    // The customer closes the widget; the agent writes twice meanwhile.
    await widget.close();
    await agentReplies(console, 'Your tracking number is PX-99812.');
    await agentReplies(console, 'It should be with you tomorrow.');
    await settled(console);
    await shot(console, 'agent-writes-twice-while-the-widget-is-closed');

    // Opened again, the widget shows both, once each, and everything before them.
    widget = await openWidget(customerSide, customer);
    await visible(messagesOf(widget).getByText('It should be with you tomorrow.', { exact: true }));
    await customerWrites(widget, 'Thanks, got both!');
    await settled(widget);
    for (const text of [
      'Hello, my parcel #1234 has not arrived.',
      'Sorry about that! It left our warehouse this morning.',
      'Your tracking number is PX-99812.',
      'It should be with you tomorrow.',
      'Thanks, got both!',
    ]) {
      expect({ text, shown: await shown(widget, text) }).toEqual({ text, shown: 1 });
    }
    await shot(widget, 'widget-reopened-shows-both-replies-once');

    // The agent's network drops; the customer writes meanwhile; the console resumes on its own
    // (no reload) from the last event it had, and shows the message once.
    await visible(messagesOf(console).getByText('Thanks, got both!', { exact: true }));
    await agentSide.setOffline(true);
    await visible(console.getByRole('status').getByText('Reconnecting…'));
    await customerWrites(widget, 'One more thing: can you leave it with a neighbour?');
    await settled(widget);
    await shot(console, 'console-offline');
    await agentSide.setOffline(false);
    await visible(console.getByRole('status').getByText('Live'));
    await visible(messagesOf(console).getByText('One more thing: can you leave it with a neighbour?'));
    await agentReplies(console, 'Of course, I have added that to the delivery.');
    await settled(console);
    expect(await shown(console, 'One more thing: can you leave it with a neighbour?')).toBe(1);
    expect(await shown(console, 'Thanks, got both!')).toBe(1);
    await visible(messagesOf(widget).getByText('Of course, I have added that to the delivery.'));
    await shot(console, 'console-resumed-after-the-drop-without-duplicates');
    await shot(widget, 'widget-after-the-drop');

    // On a phone the console shows one pane at a time, with a way back to the lists.
    await console.setViewportSize({ width: 375, height: 720 });
    await console.getByRole('button', { name: '← Conversations' }).click();
    await visible(console.getByRole('list', { name: 'My conversations' }));
    await shot(console, 'console-on-a-phone');
  });
  it('over plain HTTP at an address that is not localhost, the widget, the console and the API documentation load and work, with nothing refused by their Content-Security-Policy', async () => {
    const { address, remove } = reachableAddress();
    try {
      const origin = `http://${address}:${new URL(system.gatewayUrl).port}`;
      const refused: string[] = [];
      const watch = (page: Page) => {
        page.on(
          'console',
          (m) => m.type() === 'error' && /Security Policy|Refused/.test(m.text()) && refused.push(m.text()),
        );
        page.on('pageerror', (error) => refused.push(error.message));
        return page;
      };
      const grace = {
        name: 'Grace Hopper',
        email: 'grace@example.com',
        password: 'a compiler is a program too',
      };
      await newSignedUpAgent(system, grace);
      const customer = await newCustomer(system, 'crm-web-lan');

      const customerSide = await browser.newContext({ viewport: { width: 375, height: 720 } });
      customerSide.on('page', watch);
      const widget = await openWidget(customerSide, customer, origin);
      await customerWrites(widget, 'Hello from the shop floor network.');
      await shot(widget, 'widget-over-plain-http-on-the-lan');

      const agentSide = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      agentSide.on('page', watch);
      const console = await agentSide.newPage();
      await console.goto(`${origin}/console/`);
      await console.getByLabel('Email').fill(grace.email);
      await console.getByLabel('Password').fill(grace.password);
      await console.getByRole('button', { name: 'Sign in' }).click();
      await visible(console.getByText('Grace Hopper'));
      await console.getByRole('tab', { name: /Queue/ }).click();
      await console
        .getByRole('list', { name: 'Queue' })
        .getByRole('button', { name: /shop floor network/ })
        .click();
      await console.getByRole('button', { name: 'Claim' }).click();
      await visible(console.getByText('Assigned to you', { exact: true }));
      await agentReplies(console, 'Hello! Reading you over the LAN.');
      await visible(messagesOf(widget).getByText('Hello! Reading you over the LAN.', { exact: true }));
      await shot(console, 'console-over-plain-http-on-the-lan');

      const docs = await agentSide.newPage();
      await docs.goto(`${origin}/docs`);
      await visible(docs.getByRole('heading', { name: /Parley API/ }));
      await visible(docs.locator('.opblock').first());
      await shot(docs, 'api-documentation-over-plain-http-on-the-lan');

      expect(refused).toEqual([]);
      await customerSide.close();
      await agentSide.close();
    } finally {
      remove?.();
    }
  });
});
