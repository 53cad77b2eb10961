/**
 * The reports projection against a real PostgreSQL migrated as history migrates it: a scripted day
 * of events with fixed timestamps goes in, and the report's figures come out exactly as computed by
 * hand with percentile_cont's interpolation (the value at position p·(n−1) of the sorted values,
 * linearly between its neighbours). Every event delivered again, late and out of order, changes
 * nothing.
 */
import {
  ConversationAssignedData,
  ConversationCreatedData,
  ConversationReportBucket,
  ConversationReportQuery,
  ConversationTransferredData,
  DomainEvent,
  EventTypes,
  Role,
  StatusChangedData,
  StoredMessageData,
} from '@parley/contracts';
import { openServiceDataSource } from '@parley/persistence';
import { createDatabase, TestDatabase } from '@parley/testing';
import { DataSource } from 'typeorm';
import { HISTORY_MIGRATIONS } from '../src/history-schema';
import { ConversationReports } from '../src/reports/conversation-report';
import { ReportProjection } from '../src/reports/report-projection';

let database: TestDatabase;
let db: DataSource;
let projection: ReportProjection;
let reports: ConversationReports;

/** The scripted day: 2 March 2026, UTC. */
const at = (hhmm: string, plusSeconds = 0) =>
  new Date(Date.parse(`2026-03-02T${hhmm}:00.000Z`) + plusSeconds * 1000).toISOString();

function event<T extends object>(type: string, key: string, occurredAt: string, data: T): DomainEvent<T> {
  return { id: `${type}:${key}`, type, occurredAt, data };
}

function opened(id: string, hhmm: string, siteId: string) {
  return event<ConversationCreatedData>(EventTypes.conversationCreated, id, at(hhmm), {
    conversationId: id,
    customerId: `cu-${id}`,
    siteId,
    subject: null,
    status: 'open',
    priority: 'normal',
    createdAt: at(hhmm),
  });
}

function assigned(id: string, hhmm: string, plus: number, agentId: string, team: string) {
  return event<ConversationAssignedData>(
    EventTypes.conversationAssigned,
    `${id}:${agentId}`,
    at(hhmm, plus),
    {
      conversationId: id,
      assigneeId: agentId,
      previousAssigneeId: null,
      assignedBy: 'auto',
      team,
    },
  );
}

let seq = 0;
function message(
  id: string,
  hhmm: string,
  plus: number,
  authorRole: Role,
  extra: Partial<StoredMessageData> = {},
): DomainEvent<StoredMessageData> {
  seq += 1;
  const type = extra.type === 'note' ? EventTypes.noteCreated : EventTypes.messageCreated;
  return event<StoredMessageData>(type, `m${seq}`, at(hhmm, plus), {
    messageId: `m${seq}`,
    conversationId: id,
    seq,
    authorId: authorRole === 'customer' ? `cu-${id}` : 'ag-1',
    authorRole,
    type: 'message',
    body: 'text',
    createdAt: at(hhmm, plus),
    ...extra,
  });
}

function status(id: string, hhmm: string, plus: number, to: StatusChangedData['status']) {
  return event<StatusChangedData>(EventTypes.statusChanged, `${id}:${plus}`, at(hhmm, plus), {
    conversationId: id,
    status: to,
    previousStatus: to === 'resolved' ? 'open' : 'resolved',
    snoozeUntil: null,
    changedBy: 'ag-1',
  });
}

/**
 * | conv | opened | site | last agent / team  | first reply | resolved              |
 * | c1   | 08:00  | s1   | ag-1 billing       | +60 s       | +600 s                |
 * | c2   | 08:30  | s1   | ag-1 billing       | +120 s      | +1800 s (09:00)       |
 * | c3   | 09:15  | s2   | ag-2 shipping      | +30 s       | never                 |
 * | c4   | 09:45  | s2   | ag-2 shipping      | +300 s      | +3600 s               |
 * | c5   | 13:00  | s1   | ag-1 → ag-2        | +90 s       | +1200 s, reopened +2400 s, resolved +4800 s |
 * | c6   | 23:30  | s2   | ag-1 billing       | none (the automatic reply is none) | never  |
 */
const c5Resolved = status('c5', '13:00', 1200, 'resolved');
const c5FirstAssignment = assigned('c5', '13:00', 5, 'ag-1', 'billing');
const DAY: DomainEvent<object>[] = [
  opened('c1', '08:00', 's1'),
  message('c1', '08:00', 0, 'customer'),
  assigned('c1', '08:00', 1, 'ag-1', 'billing'),
  message('c1', '08:00', 30, 'agent', { type: 'note' }),
  message('c1', '08:00', 60, 'agent'),
  message('c1', '08:00', 90, 'admin'),
  status('c1', '08:00', 600, 'resolved'),
  opened('c2', '08:30', 's1'),
  assigned('c2', '08:30', 1, 'ag-1', 'billing'),
  message('c2', '08:30', 120, 'admin'),
  status('c2', '08:30', 1800, 'resolved'),
  opened('c3', '09:15', 's2'),
  assigned('c3', '09:15', 1, 'ag-2', 'shipping'),
  message('c3', '09:15', 30, 'agent'),
  status('c3', '09:15', 40, 'pending'),
  opened('c4', '09:45', 's2'),
  assigned('c4', '09:45', 1, 'ag-2', 'shipping'),
  message('c4', '09:45', 300, 'agent'),
  status('c4', '09:45', 3600, 'resolved'),
  opened('c5', '13:00', 's1'),
  c5FirstAssignment,
  message('c5', '13:00', 90, 'agent'),
  event<ConversationTransferredData>(EventTypes.conversationTransferred, 'c5', at('13:00', 100), {
    conversationId: 'c5',
    fromAgentId: 'ag-1',
    toAgentId: 'ag-2',
    team: 'shipping',
    reason: null,
    note: null,
    transferredBy: 'ag-1',
    entryId: 'e1',
    seq: 9,
  }),
  assigned('c5', '13:00', 100, 'ag-2', 'shipping'),
  c5Resolved,
  message('c5', '13:00', 2400, 'customer'),
  status('c5', '13:00', 2400, 'open'),
  status('c5', '13:00', 4800, 'resolved'),
  opened('c6', '23:30', 's2'),
  message('c6', '23:30', 0, 'customer'),
  message('c6', '23:30', 1, 'agent', { via: 'automatic' }),
  assigned('c6', '23:30', 2, 'ag-1', 'billing'),
];

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

const PERIOD: ConversationReportQuery = {
  from: '2026-03-02',
  to: '2026-03-03',
  timeZone: 'UTC',
  granularity: 'day',
};

const nothing = {
  volume: 0,
  firstResponses: 0,
  firstResponseMedianSeconds: null,
  firstResponseP90Seconds: null,
  resolutions: 0,
  resolutionMedianSeconds: null,
  resolutionP90Seconds: null,
};

/**
 * First replies 30, 60, 90, 120, 300 s (c3, c1, c5, c2, c4): median at position 2 → 90; p90 at 3.6
 * → 120 + 0.6 × (300 − 120) = 228. Resolutions 600, 1800, 3600, 4800 s (c1, c2, c4, c5 at its
 * current resolution): median at 1.5 → 1800 + 0.5 × 1800 = 2700; p90 at 2.7 → 3600 + 0.7 × 1200 = 4440.
 */
const THE_DAY = {
  volume: 6,
  firstResponses: 5,
  firstResponseMedianSeconds: 90,
  firstResponseP90Seconds: 228,
  resolutions: 4,
  resolutionMedianSeconds: 2700,
  resolutionP90Seconds: 4440,
};

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
  await feed(DAY);
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
      { bucket: '2026-03-02', ...THE_DAY, backlog: 2 },
      { bucket: '2026-03-03', ...nothing, backlog: 2 },
    ]);
    expect(report.total).toEqual({ ...THE_DAY, backlog: 2 });
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
    expect(report.total).toEqual({ ...THE_DAY, backlog: 2 });
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
    await feed([...DAY].reverse());
    await feed([c5Resolved, c5FirstAssignment]);
    expect(await reports.report({ ...PERIOD, granularity: 'hour' })).toEqual(before);
    expect(await reports.report(PERIOD)).toEqual({
      ...PERIOD,
      buckets: [
        { bucket: '2026-03-02', ...THE_DAY, backlog: 2 },
        { bucket: '2026-03-03', ...nothing, backlog: 2 },
      ],
      total: { ...THE_DAY, backlog: 2 },
    });
  });
});
