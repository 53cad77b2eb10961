import { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { callApi, CHROMIUM, ParleySystem, requirePrerequisite, TEST_ADMIN_TOKEN } from '@parley/testing';
import { startSystemAndBrowser } from './support/browser';

requirePrerequisite(CHROMIUM);
const UI_TIMEOUT_MS = 15_000;
const GRACE = { name: 'Grace Hopper', email: 'grace@example.com', password: 'a long and secret passphrase' };

/**
 * Agents sign in to the console in Chromium: invited by the admin, they set a password through the
 * link, sign in, stay signed in across a reload through the refresh cookie, and sign out. A refresh
 * token replayed by someone else signs the agent out on every device.
 */
describe('signing in to the console in Chromium', () => {
  let system: ParleySystem;
  let browser: Browser;

  const visible = (locator: Locator) => locator.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
  const signedIn = (page: Page) => visible(page.getByRole('button', { name: 'Sign out' }));
  const signInForm = (page: Page) => visible(page.getByRole('heading', { name: 'Parley console' }));
  const signIn = async (context: BrowserContext) => {
    const page = await context.newPage();
    await page.goto(`${system.gatewayUrl}/console/`);
    await page.getByLabel('Email').fill(GRACE.email);
    await page.getByLabel('Password').fill(GRACE.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await signedIn(page);
    return page;
  };
  /** The refresh cookie the browser holds, as a thief who copied it would send it. */
  const refreshCookie = async (context: BrowserContext) => {
    const cookie = (await context.cookies()).find((c) => c.name === 'parley_refresh');
    if (!cookie) throw new Error('no refresh cookie');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/v1/sessions' });
    return `${cookie.name}=${cookie.value}`;
  };
  const refreshWith = (cookie: string) =>
    callApi(system.gatewayUrl, 'POST', '/v1/sessions/refresh', { headers: { cookie } });

  beforeAll(async () => {
    ({ system, browser } = await startSystemAndBrowser());
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await system?.stop();
  });

  it('an invited agent sets a password and signs in, stays signed in across a reload, and signs out', async () => {
    const invited = await callApi(system.gatewayUrl, 'POST', '/v1/agents', {
      token: TEST_ADMIN_TOKEN,
      body: { name: GRACE.name, email: GRACE.email },
      headers: { prefer: 'wait=10' },
    });
    expect(invited.status).toBe(201);

    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${system.gatewayUrl}/console/#invite=${invited.body.inviteToken}`);
    await page.getByLabel('New password').fill(GRACE.password);
    await page.getByRole('button', { name: 'Set password' }).click();
    await visible(page.getByText('Your password is set. Sign in with it.'));
    await page.getByLabel('Email').fill(GRACE.email);
    await page.getByLabel('Password').fill(GRACE.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await signedIn(page);
    await visible(page.getByText(GRACE.name));

    await page.reload();
    await signedIn(page);
    const beforeSignOut = await refreshCookie(context);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await signInForm(page);
    expect((await refreshWith(beforeSignOut)).status).toBe(401);
    await page.reload();
    await signInForm(page);
    await context.close();
  });

  it('replaying a rotated refresh token signs the agent out on every device', async () => {
    const laptop = await browser.newContext();
    const phone = await browser.newContext();
    const onLaptop = await signIn(laptop);
    const onPhone = await signIn(phone);
    const copied = await refreshCookie(laptop);
    // The laptop renews (a reload does), so the copied token is a replaced one now.
    await onLaptop.reload();
    await signedIn(onLaptop);
    expect(await refreshCookie(laptop)).not.toBe(copied);

    expect((await refreshWith(copied)).status).toBe(401);

    for (const page of [onLaptop, onPhone]) {
      await page.reload();
      await signInForm(page);
    }
    await laptop.close();
    await phone.close();
  });
});
