// `npm run bench [-- <name>…]`: runs the named benchmarks (all when none is named) one after another.
// Each run replaces bench/results/<name>.json and adds a row to bench/results/history.csv
// (libs/testing/src/bench-results.ts).
//
// With BENCH_AGAINST=<git revision>, each one runs against a build of that revision and this
// checkout in turn, BENCH_PAIRS times (default 2: A B A B), both driven by this checkout's bench
// files, and a table sets their figures side by side. This machine's speed drifts from run to run
// by more than most changes are worth, so a change is measured against its parent this way. The
// other build lives in a temporary git worktree that shares this checkout's node_modules: a
// revision whose dependencies differ needs them installed first. Its runs' rows are added to this
// checkout's history.csv, under that revision's commit; their JSON files go with the worktree.
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const available = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace('.bench.ts', ''));
const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !available.includes(w));
if (unknown.length) {
  console.error(`unknown benchmark ${unknown.join(', ')}; available: ${available.join(', ')}`);
  process.exit(2);
}
const names = wanted.length ? wanted : available;

/** Runs one benchmark from `checkout` and returns the results it wrote. */
function run(checkout, name) {
  const child = spawnSync(
    process.execPath,
    ['--require', join(checkout, 'tools/ts-register.js'), join(checkout, 'bench', `${name}.bench.ts`)],
    { stdio: 'inherit', cwd: checkout },
  );
  if (child.status !== 0) process.exit(child.status ?? 1);
  return JSON.parse(readFileSync(join(checkout, 'bench', 'results', `${name}.json`), 'utf8'));
}

const against = process.env.BENCH_AGAINST;
if (!against) {
  for (const name of names) run(root, name);
  process.exit(0);
}

const git = (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
const revision = git('rev-parse', '--short', against);
const pairs = Number(process.env.BENCH_PAIRS ?? 2);
const other = join(tmpdir(), `parley-bench-${revision}`);
rmSync(other, { recursive: true, force: true });
git('worktree', 'prune');
git('worktree', 'add', '--force', '--detach', other, revision);
try {
  symlinkSync(join(root, 'node_modules'), join(other, 'node_modules'));
  for (const f of readdirSync(here).filter((f) => f.endsWith('.ts')))
    copyFileSync(join(here, f), join(other, 'bench', f));
  execFileSync('npm', ['run', 'build'], { cwd: other, stdio: 'inherit' });
  for (const name of names) {
    const runs = [];
    for (let pair = 1; pair <= pairs; pair++) {
      for (const [label, checkout] of [
        [`A ${revision}`, other],
        [`B this checkout`, root],
      ]) {
        console.log(`\n=== ${name}: ${label}, run ${pair} of ${pairs}`);
        const { rows = [] } = run(checkout, name);
        if (checkout === other) keepHistoryRow(join(other, 'bench', 'results', 'history.csv'));
        runs.push({ label: `${label.split(' ')[0]}${pair}`, rows });
      }
    }
    compare(name, runs);
  }
} finally {
  git('worktree', 'remove', '--force', other);
}

/** Adds the last row of the other build's history.csv, its latest run, to this checkout's. */
function keepHistoryRow(otherHistory) {
  const lines = readFileSync(otherHistory, 'utf8').trimEnd().split('\n');
  appendFileSync(join(here, 'results', 'history.csv'), `${lines[lines.length - 1]}\n`);
}

/** Every numeric figure of every row, one column per run. */
function compare(name, runs) {
  const table = new Map();
  for (const { label, rows } of runs) {
    for (const row of rows) {
      for (const [field, value] of Object.entries(row)) {
        if (typeof value !== 'number' || field === 'offered' || field === 'n') continue;
        const key = `${row.scenario} · ${field}`;
        if (!table.has(key)) table.set(key, { figure: key });
        table.get(key)[label] = value;
      }
    }
  }
  console.log(`\n${name}: A = ${revision}, B = this checkout, interleaved`);
  console.table([...table.values()]);
}
