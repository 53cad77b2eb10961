import { Injectable } from '@nestjs/common';
import {
  ConversationReport,
  ConversationReportBucket,
  ConversationReportFigures,
  ConversationReportQuery,
} from '@parley/contracts';
import { DataSource } from 'typeorm';

/** `$1` … `$3` are the period and its time zone; the filters follow. */
const FILTER_PARAMS = 3;

/** The conversations in scope, as `alias`; the filters are `$4` site, `$5` team, `$6` agent. */
function inScope(alias: string): string {
  return `${alias}.opened_at IS NOT NULL
      AND ($${FILTER_PARAMS + 1}::text IS NULL OR ${alias}.site_id = $${FILTER_PARAMS + 1})
      AND ($${FILTER_PARAMS + 2}::text IS NULL OR ${alias}.team = $${FILTER_PARAMS + 2})
      AND ($${FILTER_PARAMS + 3}::text IS NULL OR ${alias}.assignee_id = $${FILTER_PARAMS + 3})`;
}

/** How many conversations in scope were not resolved at the instant `at` (an SQL expression). */
function backlogAt(at: string): string {
  return `(SELECT count(*) FROM history.report_conversations o
            WHERE ${inScope('o')} AND o.unresolved @> ${at} AND o.opened_at < ${at})`;
}

/** The figures of the conversations `c` grouped together, with `backlog` given. */
const FIGURES = `
  count(c.conversation_id)::int AS volume,
  count(c.first_response_at)::int AS first_responses,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM c.first_response_at - c.opened_at)::float8)
    AS first_response_median,
  percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM c.first_response_at - c.opened_at)::float8)
    AS first_response_p90,
  count(c.resolved_at)::int AS resolutions,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM c.resolved_at - c.opened_at)::float8)
    AS resolution_median,
  percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM c.resolved_at - c.opened_at)::float8)
    AS resolution_p90`;

/** The period's first instant, `$1` at midnight in `$3`, and its end, the day after `$2`. */
const PERIOD = `SELECT $1::date::timestamp AT TIME ZONE $3 AS starts,
                       ($2::date + 1)::timestamp AT TIME ZONE $3 AS ends`;

const BY_DAY = `
  WITH days AS (
    SELECT d::date AS day, d AT TIME ZONE $3 AS starts, (d + interval '1 day') AT TIME ZONE $3 AS ends
      FROM generate_series($1::date::timestamp, $2::date::timestamp, interval '1 day') d)
  SELECT to_char(b.day, 'YYYY-MM-DD') AS bucket, ${FIGURES}, ${backlogAt('b.ends')}::float8 AS backlog
    FROM days b
    LEFT JOIN history.report_conversations c
      ON c.opened_at >= b.starts AND c.opened_at < b.ends AND ${inScope('c')}
   GROUP BY b.day, b.ends
   ORDER BY b.day`;

const BY_HOUR_OF_DAY = `
  WITH period AS (${PERIOD}),
  hour_ends AS (
    SELECT extract(hour FROM t)::int AS hour, (t + interval '1 hour') AT TIME ZONE $3 AS ends
      FROM generate_series($1::date::timestamp, $2::date::timestamp + interval '23 hours', interval '1 hour') t),
  backlogs AS (
    SELECT e.hour, round(avg(${backlogAt('e.ends')}), 2)::float8 AS backlog FROM hour_ends e GROUP BY e.hour),
  opened AS (
    SELECT c.*, extract(hour FROM c.opened_at AT TIME ZONE $3)::int AS hour
      FROM history.report_conversations c, period p
     WHERE c.opened_at >= p.starts AND c.opened_at < p.ends AND ${inScope('c')})
  SELECT b.hour::text AS bucket, ${FIGURES}, b.backlog
    FROM backlogs b
    LEFT JOIN opened c ON c.hour = b.hour
   GROUP BY b.hour, b.backlog
   ORDER BY b.hour`;

const TOTAL = `
  WITH period AS (${PERIOD})
  SELECT ${FIGURES}, ${backlogAt('p.ends')}::float8 AS backlog
    FROM period p
    LEFT JOIN history.report_conversations c
      ON c.opened_at >= p.starts AND c.opened_at < p.ends AND ${inScope('c')}
   GROUP BY p.ends`;

interface FiguresRow {
  volume: number;
  first_responses: number;
  first_response_median: number | null;
  first_response_p90: number | null;
  resolutions: number;
  resolution_median: number | null;
  resolution_p90: number | null;
  backlog: number;
}

/** Seconds to the millisecond: what the projection's timestamps hold. */
const seconds = (value: number | null) => (value === null ? null : Math.round(value * 1000) / 1000);

function toFigures(row: FiguresRow): ConversationReportFigures {
  return {
    volume: row.volume,
    firstResponses: row.first_responses,
    firstResponseMedianSeconds: seconds(row.first_response_median),
    firstResponseP90Seconds: seconds(row.first_response_p90),
    resolutions: row.resolutions,
    resolutionMedianSeconds: seconds(row.resolution_median),
    resolutionP90Seconds: seconds(row.resolution_p90),
    backlog: row.backlog,
  };
}

/**
 * Volume, first-response and resolution times (median and p90, `percentile_cont`) and backlog over
 * the reports projection only, never the messages. A conversation counts for the bucket it was
 * opened in; its first response is the first agent's reply, its resolution the current one.
 */
@Injectable()
export class ConversationReports {
  constructor(private readonly db: DataSource) {}

  async report(q: ConversationReportQuery): Promise<ConversationReport> {
    const params = [q.from, q.to, q.timeZone, q.siteId ?? null, q.team ?? null, q.agentId ?? null];
    const [rows, [total]]: [Array<FiguresRow & { bucket: string }>, FiguresRow[]] = await Promise.all([
      this.db.query(q.granularity === 'day' ? BY_DAY : BY_HOUR_OF_DAY, params),
      this.db.query(TOTAL, params),
    ]);
    const buckets: ConversationReportBucket[] = rows.map((row) => ({
      bucket: row.bucket,
      ...toFigures(row),
    }));
    return {
      from: q.from,
      to: q.to,
      timeZone: q.timeZone,
      granularity: q.granularity,
      buckets,
      total: toFigures(total),
    };
  }
}
