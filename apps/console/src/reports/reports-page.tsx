import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart as ChartJS,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import { Chart, Line } from 'react-chartjs-2';
import { createParleyClient, type components } from '@parley/client';
import { ApiError, describeError, ok } from '@parley/web';
import { AdminPageTopbar, downloadFile } from '../admin-page';
import type { Session } from '../session';
import './reports.css';

ChartJS.register(
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  Legend,
);

type Report = components['schemas']['ConversationReportItem'];
type Figures = components['schemas']['ConversationReportFiguresItem'];
type Granularity = Report['granularity'];
type Agent = components['schemas']['AgentItem'];
type Site = components['schemas']['SiteItem'];

export interface ReportFilters {
  from: string;
  to: string;
  granularity: Granularity;
  timeZone: string;
  siteId: string;
  team: string;
  agentId: string;
}

const DAY_MS = 24 * 3600 * 1000;

/** `YYYY-MM-DD` of an instant in a time zone (the Swedish locale writes dates that way). */
function dayIn(timeZone: string, at: Date): string {
  return at.toLocaleDateString('sv-SE', { timeZone });
}

function lastWeek(): ReportFilters {
  const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  const now = new Date();
  return {
    from: dayIn(timeZone, new Date(now.getTime() - 6 * DAY_MS)),
    to: dayIn(timeZone, now),
    granularity: 'day',
    timeZone,
    siteId: '',
    team: '',
    agentId: '',
  };
}

/** The query string of the report, without empty filters. */
export function reportQuery(filters: ReportFilters): Record<string, string> {
  return Object.fromEntries(Object.entries(filters).filter(([, value]) => value !== ''));
}

const minutes = (seconds: number | null) => (seconds === null ? null : Math.round(seconds / 6) / 10);
const hours = (seconds: number | null) => (seconds === null ? null : Math.round(seconds / 36) / 100);

function describeDuration(seconds: number | null): string {
  if (seconds === null) return '—';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${minutes(seconds)} min`;
  return `${hours(seconds)} h`;
}

function Summary({ total }: { total: Figures }) {
  const tiles: Array<[string, string]> = [
    ['Conversations', String(total.volume)],
    ['First response, median', describeDuration(total.firstResponseMedianSeconds)],
    ['First response, p90', describeDuration(total.firstResponseP90Seconds)],
    ['Resolution, median', describeDuration(total.resolutionMedianSeconds)],
    ['Resolution, p90', describeDuration(total.resolutionP90Seconds)],
    ['Backlog at the end', String(total.backlog)],
  ];
  return (
    <dl className="report-summary">
      {tiles.map(([label, value]) => (
        <div key={label} className="card">
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function Charts({ report }: { report: Report }) {
  const labels = report.buckets.map((b) =>
    report.granularity === 'hour' ? `${b.bucket.padStart(2, '0')}:00` : b.bucket,
  );
  const perBucket = (pick: (b: Report['buckets'][number]) => number | null) => report.buckets.map(pick);
  const options = (unit: string) => ({
    responsive: true,
    maintainAspectRatio: false,
    scales: { y: { beginAtZero: true, title: { display: true, text: unit } } },
  });
  return (
    <div className="report-charts">
      <figure className="card">
        <figcaption>Volume and backlog</figcaption>
        <div className="chart">
          <Chart
            type="bar"
            aria-label="Conversations opened and backlog per bucket"
            role="img"
            options={options('conversations')}
            data={{
              labels,
              datasets: [
                {
                  type: 'bar',
                  label: 'Opened',
                  data: perBucket((b) => b.volume),
                  backgroundColor: '#0b5cad',
                },
                {
                  type: 'line',
                  label: 'Backlog',
                  data: perBucket((b) => b.backlog),
                  borderColor: '#b42318',
                  backgroundColor: '#b42318',
                },
              ],
            }}
          />
        </div>
      </figure>
      <figure className="card">
        <figcaption>First response (minutes)</figcaption>
        <div className="chart">
          <Line
            aria-label="First-response time median and p90 per bucket"
            role="img"
            options={options('minutes')}
            data={{
              labels,
              datasets: [
                {
                  label: 'Median',
                  data: perBucket((b) => minutes(b.firstResponseMedianSeconds)),
                  borderColor: '#0b5cad',
                  backgroundColor: '#0b5cad',
                },
                {
                  label: 'p90',
                  data: perBucket((b) => minutes(b.firstResponseP90Seconds)),
                  borderColor: '#b58900',
                  backgroundColor: '#b58900',
                },
              ],
            }}
          />
        </div>
      </figure>
      <figure className="card">
        <figcaption>Resolution (hours)</figcaption>
        <div className="chart">
          <Line
            aria-label="Resolution time median and p90 per bucket"
            role="img"
            options={options('hours')}
            data={{
              labels,
              datasets: [
                {
                  label: 'Median',
                  data: perBucket((b) => hours(b.resolutionMedianSeconds)),
                  borderColor: '#0b5cad',
                  backgroundColor: '#0b5cad',
                },
                {
                  label: 'p90',
                  data: perBucket((b) => hours(b.resolutionP90Seconds)),
                  borderColor: '#b58900',
                  backgroundColor: '#b58900',
                },
              ],
            }}
          />
        </div>
      </figure>
    </div>
  );
}

/**
 * The admin's reports (`/console/reports`): volume, first-response and resolution times and backlog
 * as charts, filtered by period, site, team and agent, per day or hour of the day, and as CSV.
 */
export function ReportsPage({
  session,
  onLeave,
  onUnauthorized,
}: {
  session: Session;
  onLeave: () => void;
  onUnauthorized: () => void;
}) {
  const api = useMemo(() => createParleyClient(window.location.origin, session.token), [session.token]);
  const [filters, setFilters] = useState<ReportFilters>(lastWeek);
  const [report, setReport] = useState<Report | null>(null);
  const [agents, setAgents] = useState<Agent[]>([]);
  const [sites, setSites] = useState<Site[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const fail = useCallback(
    (failure: unknown) => {
      if (failure instanceof ApiError && failure.status === 401) onUnauthorized();
      else setError(describeError(failure));
    },
    [onUnauthorized],
  );

  const load = useCallback(
    async (asked: ReportFilters) => {
      setBusy(true);
      try {
        setReport(ok(await api.GET('/v1/reports/conversations', { params: { query: reportQuery(asked) } })));
        setError(null);
      } catch (failure) {
        fail(failure);
      } finally {
        setBusy(false);
      }
    },
    [api, fail],
  );

  useEffect(() => {
    void (async () => {
      try {
        const [team, known] = await Promise.all([
          api.GET('/v1/agents', { params: { query: { limit: 200 } } }).then(ok),
          api.GET('/v1/sites').then(ok),
        ]);
        setAgents(team.items);
        setSites(known.items);
      } catch (failure) {
        fail(failure);
      }
    })();
  }, [api, fail]);

  // The first report, for the last week; later ones when the form is submitted.
  useEffect(() => {
    void load(lastWeek());
  }, [load]);

  const teams = [...new Set(agents.flatMap((a) => a.teams))].sort();

  async function downloadCsv() {
    try {
      const url = `/v1/reports/conversations.csv?${new URLSearchParams(reportQuery(filters))}`;
      if ((await downloadFile(url, session.token, 'conversations.csv', 'The CSV')) === 'unauthorized')
        onUnauthorized();
    } catch (failure) {
      fail(failure);
    }
  }

  const set = (field: keyof ReportFilters) => (event: { target: { value: string } }) =>
    setFilters((current) => ({ ...current, [field]: event.target.value }));

  function submit(event: FormEvent) {
    event.preventDefault();
    void load(filters);
  }

  return (
    <div className="reports">
      <AdminPageTopbar onLeave={onLeave} />
      <main className="reports-main">
        <h1>Reports</h1>
        <form className="report-filters" onSubmit={submit} aria-label="Report filters">
          <label>
            From
            <input type="date" required value={filters.from} onChange={set('from')} />
          </label>
          <label>
            To
            <input type="date" required value={filters.to} onChange={set('to')} />
          </label>
          <label>
            Per
            <select value={filters.granularity} onChange={set('granularity')}>
              <option value="day">day</option>
              <option value="hour">hour of the day</option>
            </select>
          </label>
          <label>
            Site
            <select value={filters.siteId} onChange={set('siteId')}>
              <option value="">All sites</option>
              {sites.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            Team
            <select value={filters.team} onChange={set('team')}>
              <option value="">All teams</option>
              {teams.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          </label>
          <label>
            Agent
            <select value={filters.agentId} onChange={set('agentId')}>
              <option value="">All agents</option>
              {agents.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={busy}>
            Show
          </button>
          <button type="button" className="link" onClick={() => void downloadCsv()}>
            Download CSV
          </button>
        </form>
        <p className="muted">
          Days and hours in {filters.timeZone}. Times count for the day or hour a conversation was opened; the
          backlog is what was not resolved at the end of each day (for hours of the day, on average).
        </p>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        {report && (
          <>
            <Summary total={report.total} />
            <Charts report={report} />
          </>
        )}
      </main>
    </div>
  );
}
