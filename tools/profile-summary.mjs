// `node tools/profile-summary.mjs <file.cpuprofile> [pattern]`: where a V8 CPU profile spent its
// busy time, by package (self time) and by function (inclusive time, optionally filtered by a
// regular expression). Profiles come from `PARLEY_CPU_PROF_DIR=/tmp/prof npm run bench -- system`.
import { readFileSync } from 'node:fs';

const [file, pattern = '.'] = process.argv.slice(2);
if (!file) {
  console.error('usage: node tools/profile-summary.mjs <file.cpuprofile> [pattern]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parents = new Map();
for (const n of profile.nodes) for (const child of n.children ?? []) parents.set(child, n.id);

const selfTime = new Map();
profile.samples.forEach((id, i) => selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const idle = [...selfTime].filter(([id]) => nodes.get(id).callFrame.functionName === '(idle)');
const busy = [...selfTime.values()].reduce((a, b) => a + b, 0) - idle.reduce((a, [, t]) => a + t, 0);

const where = (url) =>
  /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url)?.[1] ??
  (url.includes('/dist/')
    ? `parley ${url.split('/dist/')[1].split('/').slice(0, 2).join('/')}`
    : url || '(native)');
const fileOf = (url) =>
  url.includes('/dist/') ? url.split('/dist/')[1] : url.replace(/.*node_modules\//, '') || '(native)';
const label = (n) =>
  `${n.callFrame.functionName || '(anonymous)'} ${fileOf(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;

const byPackage = new Map();
const inclusive = new Map();
for (const [id, time] of selfTime) {
  const node = nodes.get(id);
  if (node.callFrame.functionName === '(idle)') continue;
  const pkg = where(node.callFrame.url);
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + time);
  // Each function once per sample, however deep its recursion.
  const seen = new Set();
  for (let at = id; at !== undefined; at = parents.get(at)) {
    const key = label(nodes.get(at));
    if (seen.has(key)) continue;
    seen.add(key);
    inclusive.set(key, (inclusive.get(key) ?? 0) + time);
  }
}
const top = (map, count, filter = () => true) =>
  [...map]
    .filter(([key]) => filter(key))
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([key, time]) => `${((100 * time) / busy).toFixed(1).padStart(6)} %  ${key}`)
    .join('\n');

const match = new RegExp(pattern);
console.log(`${file}: busy ${(busy / 1000).toFixed(0)} ms`);
console.log('\nself time by package\n' + top(byPackage, 20));
console.log(`\ninclusive time by function (${pattern})\n` + top(inclusive, 40, (key) => match.test(key)));
