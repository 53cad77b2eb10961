import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Browser, Page } from 'playwright-core';
import { DEFAULT_PARTITIONS, eventSubject, StreamNames, subjectFor } from '@parley/contracts';
import {
  backlogOf,
  CHROMIUM,
  NO_CONVERSATIONS,
  ParleySystem,
  requirePrerequisite,
  SCRIPTED_DAY,
  SCRIPTED_DAY_EVENTS,
  SCRIPTED_DAY_FIGURES,
  SCRIPTED_PERIOD,
  TEST_ADMIN_TOKEN,
  waitFor,
} from '@parley/testing';
import {
  Actor,
  AGENT_PASSWORD,
  answer,
  clientOf,
  newAgent,
  newCustomer,
  newSignedUpAgent,
  openConversation,
} from './support/actors';
import { startSystemAndBrowser } from './support/browser';

requirePrerequisite(CHROMIUM);
const UI_TIMEOUT_MS = 15_000;
const WAIT = { prefer: 'wait=10' };

type ReportParams = { from?: string; to?: string; granularity?: 'day' | 'hour'; timeZone?: string };

/**
 * Issue 25's reports against the whole system, with two history processes: the scripted day of
 * events with fixed timestamps, published to the events stream as the conversation service
 * publishes them, gives the figures computed by hand, and the CSV carries the same numbers; a
 * conversation worked through the API counts too; an admin sees the figures as charts in the console.
 */
describe('conversation reports', () => {
  let system: ParleySystem;
  let browser: Browser;

  const report = async (query: ReportParams, who: Actor | string = TEST_ADMIN_TOKEN) =>
    answer(clientOf(system, who).GET('/v1/reports/conversations', { params: { query } }));

  /** The CSV as rows of cells, header first. */
  const csv = async (query: ReportParams) => {
    const res = await fetch(
      `${system.gatewayUrl}/v1/reports/conversations.csv?${new URLSearchParams(query as Record<string, string>)}`,
      { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="conversations-.*\.csv"$/);
    const text = await res.text();
    return text
      .split('\r\n')
      .filter(Boolean)
      .map((line) => line.split(','));
  };

  /** The JSON report's buckets written as the CSV writes them: field names, then the numbers. */
  const asCsv = (buckets: Array<Record<string, unknown>>) => {
    const header = Object.keys(buckets[0]);
    return [header, ...buckets.map((b) => header.map((field) => String(b[field] ?? '')))];
  };

  beforeAll(async () => {
    ({ system, browser } = await startSystemAndBrowser());
    await system.startReplica('history');
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await system?.stop();
  });

  it('gives the scripted day’s first-response and resolution median and p90 exactly, and the CSV the same numbers', async () => {
    const nc = await connect({ servers: system.nats.url });
    try {
      const jsm = await jetstreamManager(nc);
      const js = jsm.jetstream();
      for (const event of SCRIPTED_DAY_EVENTS) {
        const subject = subjectFor(eventSubject(event.type), event, DEFAULT_PARTITIONS);
        await js.publish(subject, JSON.stringify(event), { msgID: event.id });
      }
      await waitFor('history to apply the scripted day', async () => {
        const backlog = await backlogOf(jsm, StreamNames.events, 'history');
        return backlog.pending === 0 && backlog.ackPending === 0;
      });
    } finally {
      await nc.close();
    }

    const byDay = await report(SCRIPTED_PERIOD);
    expect(byDay.status).toBe(200);
    expect(byDay.body.buckets).toEqual([
      { bucket: SCRIPTED_DAY, ...SCRIPTED_DAY_FIGURES },
      { bucket: '2026-03-03', ...NO_CONVERSATIONS, backlog: 2 },
    ]);
    expect(byDay.body.total).toEqual(SCRIPTED_DAY_FIGURES);
    expect(await csv(SCRIPTED_PERIOD)).toEqual(asCsv(byDay.body.buckets));
    expect((await csv(SCRIPTED_PERIOD))[1]).toEqual([
      SCRIPTED_DAY,
      '6',
      '5',
      '90',
      '228',
      '4',
      '2700',
      '4440',
      '2',
    ]);

    const byHour = await report({ ...SCRIPTED_PERIOD, granularity: 'hour' });
    expect(byHour.body.buckets).toHaveLength(24);
    // 08:00–09:00: c1 and c2, first replies 60 and 120 s: median 90, p90 60 + 0.9 × 60 = 114.
    expect(byHour.body.buckets[8]).toMatchObject({
      bucket: '8',
      volume: 2,
      firstResponseMedianSeconds: 90,
      firstResponseP90Seconds: 114,
    });
    expect(await csv({ ...SCRIPTED_PERIOD, granularity: 'hour' })).toEqual(asCsv(byHour.body.buckets));
  });

  it('counts a conversation worked through the API on today’s report', async () => {
    const agent = await newAgent(system);
    const customer = await newCustomer(system);
    const { id } = await openConversation(system, customer, { body: 'My parcel arrived broken' });
    const reply = await answer(
      clientOf(system, agent).POST('/v1/conversations/{id}/messages', {
        params: { path: { id } },
        body: { body: 'Sorry to hear that, a new one is on its way.' },
        headers: WAIT,
      }),
    );
    expect(reply.status).toBe(201);
    const resolved = await answer(
      clientOf(system, agent).POST('/v1/conversations/{id}/status', {
        params: { path: { id } },
        body: { status: 'resolved' },
        headers: WAIT,
      }),
    );
    expect(resolved.status).toBe(200);

    const today = new Date().toISOString().slice(0, 10);
    const period = { from: today, to: today };
    const figures = await waitFor('the resolution to reach the report', async () => {
      const res = await report(period);
      return res.body.total.resolutions === 1 && res.body.total;
    });
    // The backlog at the end of today: c3 and c6 of the scripted day, still not resolved.
    expect(figures).toMatchObject({ volume: 1, firstResponses: 1, resolutions: 1, backlog: 2 });
    expect(figures.firstResponseMedianSeconds).toBeGreaterThan(0);
    expect(figures.resolutionMedianSeconds).toBeGreaterThanOrEqual(
      figures.firstResponseMedianSeconds as number,
    );
    const json = await report(period);
    expect(await csv(period)).toEqual(asCsv(json.body.buckets));
  });

  it('is for admins only, and refuses a period it cannot cut with 400', async () => {
    const agent = await newAgent(system);
    expect((await report(SCRIPTED_PERIOD, agent)).status).toBe(403);
    expect((await report({ from: '2026-03-03', to: '2026-03-02' })).status).toBe(400);
    expect((await report({ from: '2026-02-30' })).status).toBe(400);
    expect((await report({ ...SCRIPTED_PERIOD, timeZone: 'Mars/Olympus' })).status).toBe(400);
    expect((await report({ from: '2024-01-01', to: '2026-01-01' })).status).toBe(400);
  });

  it('draws the figures as charts for an admin in the console', async () => {
    const email = 'ada@example.com';
    await newSignedUpAgent(system, { name: 'Ada Admin', email, password: AGENT_PASSWORD, role: 'admin' });
    const context = await browser.newContext({ timezoneId: 'UTC' });
    try {
      const page: Page = await context.newPage();
      await page.goto(`${system.gatewayUrl}/console/`);
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill(AGENT_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('link', { name: 'Reports' }).click({ timeout: UI_TIMEOUT_MS });
      await page.getByRole('heading', { name: 'Reports' }).waitFor({ timeout: UI_TIMEOUT_MS });
      await page.getByLabel('From', { exact: true }).fill(SCRIPTED_PERIOD.from);
      await page.getByLabel('To', { exact: true }).fill(SCRIPTED_PERIOD.to);
      await page.getByRole('button', { name: 'Show' }).click();
      // The scripted day's resolution p90, 4440 s, as the summary writes it.
      const p90 = page.locator('.report-summary div', { hasText: 'Resolution, p90' });
      await p90.getByText('1.23 h').waitFor({ timeout: UI_TIMEOUT_MS });
      expect(await page.locator('canvas').count()).toBe(3);
      expect(await page.getByRole('img', { name: /first-response time/i }).count()).toBe(1);
    } finally {
      await context.close();
    }
  });
});
