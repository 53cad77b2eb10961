import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * bench/results holds the latest run of each bench (`<name>.json`, beside it what that run drew)
 * and history.csv, one row per run with the figures it is remembered by. Older runs live in git.
 */
const RESULTS_DIR = join(__dirname, '../../../bench/results');
const HISTORY_COLUMNS = ['date', 'bench', 'commit', 'settings', 'figures'];

type Figures = Record<string, number | string | undefined>;
interface ScenarioRow {
  scenario: string;
  value?: number;
  p99?: number;
  micros?: number;
}

const rowsOf = (data: { rows?: ScenarioRow[] }) => data.rows ?? [];
const find = (data: { rows?: ScenarioRow[] }, start: string) =>
  rowsOf(data).find((r) => r.scenario.startsWith(start));

/** The few figures each bench's runs are compared by, read from the results it wrote. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each bench writes its own shape
const HEADLINES: Record<string, (data: any) => Figures> = {
  system: (data) => {
    const accept = find(data, 'accept: POST');
    const figures: Figures = {
      fastify_req_s: find(data, 'baseline: bare Fastify')?.value,
      accept_req_s: accept?.value,
      accept_p99_ms: accept?.p99,
      cpu_ms_per_msg: find(data, 'CPU per accepted message: everything')?.value,
    };
    for (const row of rowsOf(data)) {
      const offered = /^end to end at (\d+) msg\/s/.exec(row.scenario)?.[1];
      if (offered) figures[`e2e_p99_ms_at_${offered}`] = row.p99;
    }
    const rss = rowsOf(data)
      .filter((r) => r.scenario.startsWith('peak RSS'))
      .map((r) => r.value ?? 0);
    return {
      ...figures,
      sustained_msg_s: find(data, 'sustained for')?.value,
      catchup_conversation_s: find(data, 'catch-up: conversation')?.value,
      catchup_history_s: find(data, 'catch-up: history')?.value,
      catchup_delivery_s: find(data, 'catch-up: delivery')?.value,
      peak_rss_mib: rss.length ? Math.max(...rss) : undefined,
    };
  },
  scale: (data) => ({
    accept_msg_s_1p: data.one.acceptRate,
    accept_msg_s_2p: data.two.acceptRate,
    second_process_accept_cpu_pct: data.secondProcessCpuPerMessagePercent.accept,
    second_process_steady_cpu_pct: data.secondProcessCpuPerMessagePercent.steady,
    catchup_msg_s_1p: data.one.catchUpRate,
    catchup_msg_s_2p: data.two.catchUpRate,
    second_process_catchup_cpu_pct: data.secondProcessCpuPerMessagePercent.catchUp,
  }),
  history: (data) => ({
    page_p99_ms: find(data, 'page of 50: GET')?.p99,
    search_agent_p99_ms: find(data, 'search: GET /v1/search (agent)')?.p99,
    search_customer_p99_ms: find(data, 'search: GET /v1/search (customer)')?.p99,
  }),
  'conversation-list': (data) => ({
    unfiltered_p99_ms: find(data, 'first page, unfiltered')?.p99,
    label_status_assignee_p99_ms: find(data, 'label + status + assignee')?.p99,
    slowest_filtered_p99_ms: Math.max(
      ...(data.rows as Array<{ p99: number; target?: string }>).filter((r) => r.target).map((r) => r.p99),
    ),
  }),
  decode: (data) => ({
    json_parse_us: find(data, 'baseline: JSON.parse')?.micros,
    event_us: find(data, 'event as consumers decode it')?.micros,
    command_us: find(data, 'message.post command as conversation decodes it')?.micros,
  }),
  tokens: (data) => ({
    issue_us: find(data, 'TokenService.issue')?.micros,
    verify_us: find(data, 'TokenService.verify')?.micros,
  }),
  peer: (data) => {
    const figures: Figures = {};
    const keys: Array<[string, string]> = [
      ['offline store', 'offline'],
      ['live, closed loop (', 'live'],
      ['live, closed loop: latency', 'live_p99'],
      ['live at', 'fixed_rate'],
      ['catch-up', 'catchup'],
      ['archive', 'archive_p99'],
      ['peak memory: Parley', 'memory'],
    ];
    for (const [start, key] of keys) {
      const row = find(data, start) as (ScenarioRow & { peer?: number; ahead?: number }) | undefined;
      figures[key] = row?.value;
      figures[`${key}_peer`] = row?.peer;
      figures[`${key}_ahead`] = row?.ahead;
    }
    return figures;
  },
  chaos: (data) => {
    const results: Array<Record<string, number | string>> = data.results;
    const sum = (field: string) => results.reduce((n, r) => n + Number(r[field]), 0);
    return {
      scenarios: results.map((r) => r.scenario).join('/'),
      accepted: sum('accepted'),
      lost: sum('lost'),
      duplicated: sum('duplicated'),
      unexpected: sum('unexpected'),
      seq_gaps: sum('seqGaps'),
    };
  },
};

/** `key=value` pairs separated by spaces: no commas, so a CSV field needs no quoting. */
function pairs(figures: Figures): string {
  return Object.entries(figures)
    .filter(([, value]) => value !== undefined && value !== '')
    .map(([key, value]) => `${key}=${typeof value === 'number' ? Math.round(value * 100) / 100 : value}`)
    .join(' ');
}

/** What a run was asked to do: the bench's settings, or its scalar top-level fields. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each bench writes its own shape
function settingsOf(data: any): Figures {
  const settings: Figures = {};
  for (const [key, value] of Object.entries({ ...data, ...data.settings, ...data.dataset })) {
    if (key === 'date') continue;
    if (typeof value === 'number' || typeof value === 'string') settings[key] = value;
    if (Array.isArray(value) && value.every((v) => typeof v !== 'object')) settings[key] = value.join('/');
  }
  return settings;
}

/** The history.csv row of one run of `bench`. */
function historyRow(bench: string, data: { date: string }, commit: string): string {
  const figures = HEADLINES[bench]?.(data) ?? {};
  return [data.date, bench, commit, pairs(settingsOf(data)), pairs(figures)].join(',');
}

/**
 * The commit measured, `+` after it when files outside bench/ differ from it (the bench files
 * themselves may: `BENCH_AGAINST` runs this checkout's bench files against another build).
 */
function measuredCommit(): string {
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: __dirname,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  try {
    const changed = git('status', '--porcelain', '--untracked-files=no', '--', ':/', ':(exclude,top)bench');
    return `${git('rev-parse', '--short', 'HEAD')}${changed ? '+' : ''}`;
  } catch {
    return '';
  }
}

/** Replaces `<name>.json`, the latest result of that bench, and adds its row to history.csv. */
export function writeResults<Data extends { date: string }>(name: string, data: Data): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${name}.json`);
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  const history = join(RESULTS_DIR, 'history.csv');
  if (!existsSync(history)) writeFileSync(history, `${HISTORY_COLUMNS.join(',')}\n`);
  appendFileSync(history, `${historyRow(name, data, measuredCommit())}\n`);
  return file;
}
