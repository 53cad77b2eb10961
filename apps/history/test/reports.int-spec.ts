/**
 * The reports projection against a real PostgreSQL migrated as history migrates it: the scripted day
 * of events with fixed timestamps (libs/testing scripted-report-day.ts) goes in, and the report's
 * figures come out exactly as computed by hand with percentile_cont's interpolation. Every event
 * delivered again, late and out of order, changes nothing.
 */
import {
  ConversationAssignedData,
  ConversationCreatedData,
  ConversationReportBucket,
  DomainEvent,
  EventTypes,
  StatusChangedData,
  StoredMessageData,
} from '@parley/contracts';
import { openServiceDataSource } from '@parley/persistence';
import {
  createDatabase,
  NO_CONVERSATIONS,
  SCRIPTED_DAY_EVENTS,
  SCRIPTED_DAY_FIGURES,
  SCRIPTED_PERIOD,
  SUPERSEDED_EVENTS,
  TestDatabase,
} from '@parley/testing';
import { DataSource } from 'typeorm';
import { HISTORY_MIGRATIONS } from '../src/history-schema';
import { ConversationReports } from '../src/reports/conversation-report';
import { ReportProjection } from '../src/reports/report-projection';

let database: TestDatabase;
let db: DataSource;
let projection: ReportProjection;
let reports: ConversationReports;

/** Hands each run of events of one kind to the projection, as history's handlers do. */
async function feed(events: DomainEvent<object>[]): Promise<void> {
  for (const e of events) {
    switch (e.type) {
      case EventTypes.conversationCreated:
        await projection.opened([e.data as ConversationCreatedData]);
        break;
      case EventTypes.messageCreated:
      case EventTypes.noteCreated:
        await projection.responded([e.data as StoredMessageData]);
        break;
      case EventTypes.conversationAssigned:
      case EventTypes.conversationTransferred:
        await projection.placed([e as DomainEvent<ConversationAssignedData>]);
        break;
      case EventTypes.statusChanged:
        await projection.statusChanged([e as DomainEvent<StatusChangedData>]);
        break;
    }
  }
}

const PERIOD = SCRIPTED_PERIOD;
const nothing = NO_CONVERSATIONS;
const THE_DAY = SCRIPTED_DAY_FIGURES;

beforeAll(async () => {
  database = await createDatabase();
  db = await openServiceDataSource({
    url: database.url,
    statementTimeoutMs: 30_000,
    schema: 'history',
    entities: [],
    migrations: HISTORY_MIGRATIONS,
  });
  projection = new ReportProjection(db);
  reports = new ConversationReports(db);
  await feed(SCRIPTED_DAY_EVENTS);
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

describe('the conversation report over a scripted day', () => {
  it('per day: volume, first-response and resolution median and p90, and the backlog at each day’s end', async () => {
    const report = await reports.report(PERIOD);
    // At the end of the 2nd and of the 3rd, c3 (pending) and c6 are not resolved.
    expect(report.buckets).toEqual([
      { bucket: '2026-03-02', ...THE_DAY },
      { bucket: '2026-03-03', ...nothing, backlog: 2 },
    ]);
    expect(report.total).toEqual(THE_DAY);
  });

  it('per hour of the day: the conversations opened in that hour, and the backlog at its end averaged over the days', async () => {
    const report = await reports.report({ ...PERIOD, granularity: 'hour' });
    const hour = (h: number) =>
      report.buckets.find((b) => b.bucket === String(h)) as ConversationReportBucket;
    expect(report.buckets.map((b) => b.bucket)).toEqual(Array.from({ length: 24 }, (_, h) => String(h)));
    // 08: c1, c2. Replies 60, 120: median 90, p90 60 + 0.9 × 60 = 114. Resolved 600, 1800: 1200, 1680.
    expect(hour(8)).toMatchObject({
      volume: 2,
      firstResponseMedianSeconds: 90,
      firstResponseP90Seconds: 114,
      resolutionMedianSeconds: 1200,
      resolutionP90Seconds: 1680,
    });
    // 09: c3, c4. Replies 30, 300: median 165, p90 30 + 0.9 × 270 = 273. Only c4 resolved: 3600.
    expect(hour(9)).toMatchObject({
      volume: 2,
      firstResponses: 2,
      firstResponseMedianSeconds: 165,
      firstResponseP90Seconds: 273,
      resolutions: 1,
      resolutionMedianSeconds: 3600,
      resolutionP90Seconds: 3600,
    });
    expect(hour(13)).toMatchObject({
      volume: 1,
      firstResponseMedianSeconds: 90,
      resolutionMedianSeconds: 4800,
    });
    expect(hour(23)).toMatchObject({ volume: 1, firstResponses: 0, firstResponseMedianSeconds: null });
    expect(hour(12)).toMatchObject(nothing);
    // Unresolved on the 2nd: c1 08:00–08:10, c2 08:30–09:00, c3 from 09:15, c4 09:45–10:45,
    // c5 13:00–13:20 and 13:40–14:20, c6 from 23:30. On the 3rd, c3 and c6 all day (2).
    const expected: Record<number, number> = {};
    for (let h = 0; h < 24; h++) {
      const onTheSecond = h <= 8 ? 0 : h === 9 ? 2 : h === 13 ? 2 : h === 23 ? 2 : 1; // at 09:00 c2 was just resolved
      expected[h] = (onTheSecond + 2) / 2;
    }
    expect(Object.fromEntries(report.buckets.map((b) => [Number(b.bucket), b.backlog]))).toEqual(expected);
    expect(report.total).toEqual(THE_DAY);
  });

  it('filters by agent, team and site, with the latest assignee and team', async () => {
    // ag-2: c3, c4 and c5 (transferred to ag-2). Replies 30, 90, 300: median 90, p90 at 1.8 →
    // 90 + 0.8 × 210 = 258. Resolved c4 3600, c5 4800: median 4200, p90 3600 + 0.9 × 1200 = 4680.
    const agent = await reports.report({ ...PERIOD, agentId: 'ag-2' });
    expect(agent.buckets[0]).toEqual({
      bucket: '2026-03-02',
      volume: 3,
      firstResponses: 3,
      firstResponseMedianSeconds: 90,
      firstResponseP90Seconds: 258,
      resolutions: 2,
      resolutionMedianSeconds: 4200,
      resolutionP90Seconds: 4680,
      backlog: 1,
    });
    // billing: c1, c2, c6. Replies 60, 120: median 90, p90 114. Resolved 600, 1800: 1200, 1680.
    const team = await reports.report({ ...PERIOD, team: 'billing' });
    expect(team.buckets[0]).toEqual({
      bucket: '2026-03-02',
      volume: 3,
      firstResponses: 2,
      firstResponseMedianSeconds: 90,
      firstResponseP90Seconds: 114,
      resolutions: 2,
      resolutionMedianSeconds: 1200,
      resolutionP90Seconds: 1680,
      backlog: 1,
    });
    const site = await reports.report({ ...PERIOD, siteId: 's2' });
    expect(site.buckets[0]).toMatchObject({ volume: 3, firstResponses: 2, resolutions: 1, backlog: 2 });
  });

  it('cuts days in the time zone asked for', async () => {
    // 23:30 UTC is 00:30 on the 3rd in Berlin (UTC+1 in March): c6 moves to the 3rd.
    const report = await reports.report({ ...PERIOD, timeZone: 'Europe/Berlin' });
    expect(report.buckets.map((b) => [b.bucket, b.volume])).toEqual([
      ['2026-03-02', 5],
      ['2026-03-03', 1],
    ]);
  });

  it('changes nothing when every event comes again, in reverse order, and old ones late', async () => {
    const before = await reports.report({ ...PERIOD, granularity: 'hour' });
    await feed([...SCRIPTED_DAY_EVENTS].reverse());
    await feed(SUPERSEDED_EVENTS);
    expect(await reports.report({ ...PERIOD, granularity: 'hour' })).toEqual(before);
    expect(await reports.report(PERIOD)).toEqual({
      ...PERIOD,
      buckets: [
        { bucket: '2026-03-02', ...THE_DAY },
        { bucket: '2026-03-03', ...nothing, backlog: 2 },
      ],
      total: THE_DAY,
    });
  });
});
