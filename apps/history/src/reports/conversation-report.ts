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

/** The figures of the conversations `c` grouped together. */
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

/** Each day of the period (`$1` … `$2` in `$3`) with its first instant and its end. */
const DAYS = `SELECT to_char(d, 'YYYY-MM-DD') AS bucket, d AT TIME ZONE $3 AS starts,
                     (d + interval '1 day') AT TIME ZONE $3 AS ends
                FROM generate_series($1::date::timestamp, $2::date::timestamp, interval '1 day') d`;

/** The end of each hour of each day of the period, keyed by the hour of the day. */
const HOUR_ENDS = `SELECT extract(hour FROM t)::int::text AS bucket, (t + interval '1 hour') AT TIME ZONE $3 AS at
                     FROM generate_series($1::date::timestamp, $2::date::timestamp + interval '23 hours',
                                          interval '1 hour') t`;

const FIGURES_BY_DAY = `
  WITH days AS (${DAYS})
  SELECT b.bucket, ${FIGURES}
    FROM days b
    LEFT JOIN history.report_conversations c
      ON c.opened_at >= b.starts AND c.opened_at < b.ends AND ${inScope('c')}
   GROUP BY b.bucket
   ORDER BY b.bucket`;

const FIGURES_BY_HOUR_OF_DAY = `
  WITH period AS (${PERIOD}),
  opened AS (
    SELECT c.*, extract(hour FROM c.opened_at AT TIME ZONE $3)::int AS hour
      FROM history.report_conversations c, period p
     WHERE c.opened_at >= p.starts AND c.opened_at < p.ends AND ${inScope('c')})
  SELECT h::text AS bucket, ${FIGURES}
    FROM generate_series(0, 23) h
    LEFT JOIN opened c ON c.hour = h
   GROUP BY h
   ORDER BY h`;

const FIGURES_OF_PERIOD = `
  WITH period AS (${PERIOD})
  SELECT ${FIGURES}
    FROM period p
    LEFT JOIN history.report_conversations c
      ON c.opened_at >= p.starts AND c.opened_at < p.ends AND ${inScope('c')}`;

/** Marks the period's end as the instant of the total's backlog. */
const TOTAL = 'total';

/**
 * The backlog at each of the `instants` (`bucket`, `at`), averaged per bucket, and at the period's
 * end (bucket TOTAL), in one sweep: every unresolved period in scope that overlaps the report's
 * period adds one from its start and takes it away from its end, and the running sum at an instant
 * is the backlog there. At the same instant, ends count before it and starts after it: a
 * conversation resolved at the end of a day is not in that day's backlog, nor one opened then.
 */
function backlogs(instants: string): string {
  return `
  WITH period AS (${PERIOD}),
  instants (bucket, at) AS (${instants} UNION ALL SELECT '${TOTAL}', p.ends FROM period p),
  periods AS (
    SELECT lower(r) AS starts, upper(r) AS ends
      FROM history.report_conversations o, period p, unnest(o.unresolved) r
     WHERE o.unresolved && tstzrange(p.starts, p.ends, '[]') AND r && tstzrange(p.starts, p.ends, '[]')
       AND ${inScope('o')}),
  steps AS (
    SELECT starts AS at, 2 AS rank, 1 AS delta, NULL AS bucket FROM periods
    UNION ALL SELECT ends, 0, -1, NULL FROM periods WHERE ends IS NOT NULL
    UNION ALL SELECT at, 1, 0, bucket FROM instants),
  swept AS (
    SELECT bucket, rank, sum(delta) OVER (ORDER BY at, rank ROWS UNBOUNDED PRECEDING) AS backlog FROM steps)
  SELECT bucket, round(avg(backlog), 2)::float8 AS backlog FROM swept WHERE rank = 1 GROUP BY bucket`;
}

const BACKLOG_BY_DAY = backlogs('SELECT bucket, ends FROM (' + DAYS + ') days');
const BACKLOG_BY_HOUR_OF_DAY = backlogs(HOUR_ENDS);

interface FiguresRow {
  volume: number;
  first_responses: number;
  first_response_median: number | null;
  first_response_p90: number | null;
  resolutions: number;
  resolution_median: number | null;
  resolution_p90: number | null;
}

/** Seconds to the millisecond: what the projection's timestamps hold. */
const seconds = (value: number | null) => (value === null ? null : Math.round(value * 1000) / 1000);

function toFigures(row: FiguresRow, backlog: number): ConversationReportFigures {
  return {
    volume: row.volume,
    firstResponses: row.first_responses,
    firstResponseMedianSeconds: seconds(row.first_response_median),
    firstResponseP90Seconds: seconds(row.first_response_p90),
    resolutions: row.resolutions,
    resolutionMedianSeconds: seconds(row.resolution_median),
    resolutionP90Seconds: seconds(row.resolution_p90),
    backlog,
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
    const byDay = q.granularity === 'day';
    const [rows, [total], backlogRows]: [
      Array<FiguresRow & { bucket: string }>,
      FiguresRow[],
      Array<{ bucket: string; backlog: number }>,
    ] = await Promise.all([
      this.db.query(byDay ? FIGURES_BY_DAY : FIGURES_BY_HOUR_OF_DAY, params),
      this.db.query(FIGURES_OF_PERIOD, params),
      this.db.query(byDay ? BACKLOG_BY_DAY : BACKLOG_BY_HOUR_OF_DAY, params),
    ]);
    const backlog = new Map(backlogRows.map((row) => [row.bucket, row.backlog]));
    const buckets: ConversationReportBucket[] = rows.map((row) => ({
      bucket: row.bucket,
      ...toFigures(row, backlog.get(row.bucket) ?? 0),
    }));
    return {
      from: q.from,
      to: q.to,
      timeZone: q.timeZone,
      granularity: q.granularity,
      buckets,
      total: toFigures(total, backlog.get(TOTAL) ?? 0),
    };
  }
}
