/** The parts of a V8 CPU profile (`node --cpu-prof`) that a flame graph needs. */
export interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }>;
  /** Microseconds on the monotonic clock that `process.hrtime` reads too. */
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

type Origin = 'parley' | 'dependency' | 'node' | 'native';

interface Frame {
  name: string;
  where: string;
  origin: Origin;
  /** Microseconds spent in this frame and everything it called. */
  total: number;
  children: Map<string, Frame>;
}

const WIDTH = 1200;
const ROW = 16;
const HEADER = 52;
/** Frames narrower than this many pixels are left out: their time stays in their parent's bar. */
const MIN_PX = 1;

const HUES: Record<Origin, [number, number]> = {
  parley: [205, 65],
  dependency: [25, 85],
  node: [95, 45],
  native: [0, 0],
};

function originOf(url: string): Origin {
  if (!url) return 'native';
  if (url.startsWith('node:')) return 'node';
  if (url.includes('/node_modules/')) return 'dependency';
  return 'parley';
}

function shortUrl(url: string): string {
  return url.includes('/node_modules/')
    ? url.slice(url.lastIndexOf('/node_modules/') + '/node_modules/'.length)
    : url.includes('/dist/')
      ? url.slice(url.indexOf('/dist/') + '/dist/'.length)
      : url;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c] ?? c);
}

/**
 * Stacks merged by function and place, idle time and samples taken before `since` left out, each
 * frame's time summed from samples.
 */
function frames(profile: CpuProfile, since: number): Frame {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (at >= since) self.set(id, (self.get(id) ?? 0) + delta);
  });
  const root: Frame = { name: 'all', where: '', origin: 'native', total: 0, children: new Map() };
  const visit = (id: number, parent: Frame): number => {
    const node = byId.get(id);
    if (!node || node.callFrame.functionName === '(idle)') return 0;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = functionName || '(anonymous)';
    const where = url ? `${shortUrl(url)}:${lineNumber + 1}` : '';
    const key = `${name} ${where}`;
    let frame = parent.children.get(key);
    if (!frame) {
      frame = { name, where, origin: originOf(url), total: 0, children: new Map() };
      parent.children.set(key, frame);
    }
    let total = self.get(id) ?? 0;
    for (const child of node.children ?? []) total += visit(child, frame);
    frame.total += total;
    if (frame.total === 0) parent.children.delete(key);
    return total;
  };
  const top = profile.nodes[0];
  for (const child of top?.children ?? []) root.total += visit(child, root);
  return root;
}

/** Lightness varies with the name so that neighbouring bars of one origin stay apart. */
function colour(frame: Frame): string {
  let hash = 0;
  for (const c of frame.name) hash = (hash * 31 + c.charCodeAt(0)) | 0;
  const [hue, saturation] = HUES[frame.origin];
  return `hsl(${hue},${saturation}%,${62 + (Math.abs(hash) % 20)}%)`;
}

/**
 * An SVG flame graph of a V8 CPU profile: callers below, callees above, each bar as wide as the
 * time spent in it and what it called, widest first. Bars are coloured by where the code lives
 * (Parley, a dependency, Node.js, V8) and name their function, file and share on hover. `since`
 * (monotonic microseconds, `process.hrtime`) leaves out what came before, such as the start-up.
 */
export function flameGraph(profile: CpuProfile, title: string, since = 0): string {
  const root = frames(profile, since);
  const scale = root.total > 0 ? WIDTH / root.total : 0;
  const bars: string[] = [];
  let depth = 0;
  const draw = (frame: Frame, x: number, level: number) => {
    const width = frame.total * scale;
    if (width < MIN_PX) return;
    depth = Math.max(depth, level);
    const share = ((100 * frame.total) / root.total).toFixed(1);
    const label = frame.where ? `${frame.name} ${frame.where}` : frame.name;
    const tooltip = `${label}: ${share}%, ${(frame.total / 1000).toFixed(0)} ms`;
    const chars = Math.floor((width - 6) / 6.5);
    const text =
      chars >= 3
        ? `<text x="${(x + 3).toFixed(1)}" y="${-level * ROW - 4}">${escapeXml(
            frame.name.length > chars ? `${frame.name.slice(0, chars - 1)}…` : frame.name,
          )}</text>`
        : '';
    bars.push(
      `<g><title>${escapeXml(tooltip)}</title><rect x="${x.toFixed(1)}" y="${-(level + 1) * ROW}" ` +
        `width="${Math.max(0, width - 0.5).toFixed(1)}" height="${ROW - 1}" fill="${colour(frame)}"/>${text}</g>`,
    );
    let childX = x;
    for (const child of [...frame.children.values()].sort((a, b) => b.total - a.total)) {
      draw(child, childX, level + 1);
      childX += child.total * scale;
    }
  };
  draw(root, 0, 0);
  const height = HEADER + (depth + 1) * ROW + 8;
  const legend = (Object.keys(HUES) as Origin[])
    .map(
      (origin, i) =>
        `<rect x="${10 + i * 130}" y="30" width="12" height="12" fill="${colour({ name: '', where: '', origin, total: 0, children: new Map() })}"/>` +
        `<text x="${28 + i * 130}" y="40">${{ parley: 'Parley', dependency: 'dependencies', node: 'Node.js', native: 'V8, GC, native' }[origin]}</text>`,
    )
    .join('');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" font-family="monospace" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="20" font-size="14" font-family="sans-serif" font-weight="bold">${escapeXml(title)} (${(root.total / 1000).toFixed(0)} ms on CPU)</text>`,
    legend,
    `<g transform="translate(0 ${height - 4})">`,
    ...bars,
    '</g>',
    '</svg>',
    '',
  ].join('\n');
}
