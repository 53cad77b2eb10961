/** End-to-end latency at one offered rate, as the system benchmark measured it. */
export interface LatencyPoint {
  offered: number;
  p50: number;
  p99: number;
}

const WIDTH = 640;
const HEIGHT = 400;
const MARGIN = { left: 70, right: 150, top: 40, bottom: 50 };

/**
 * An SVG line chart of p50 and p99 latency (log scale) against the offered rate, with the target
 * as a dashed line: self-contained, so it renders on GitHub and in any browser.
 */
export function latencyChart(points: LatencyPoint[], targetMs: number, title: string): string {
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const rates = points.map((p) => p.offered);
  const minRate = Math.min(...rates);
  const maxRate = Math.max(...rates);
  const values = points.flatMap((p) => [p.p50, p.p99]).concat(targetMs);
  const lo = Math.floor(Math.log10(Math.max(0.1, Math.min(...values))));
  const hi = Math.ceil(Math.log10(Math.max(...values)));
  const x = (rate: number) =>
    MARGIN.left + (maxRate === minRate ? plotW / 2 : ((rate - minRate) / (maxRate - minRate)) * plotW);
  const y = (ms: number) =>
    MARGIN.top + plotH - ((Math.log10(Math.max(ms, 10 ** lo)) - lo) / Math.max(1, hi - lo)) * plotH;
  const line = (pick: (p: LatencyPoint) => number, color: string, label: string) => {
    const path = points.map((p, i) => `${i ? 'L' : 'M'}${x(p.offered).toFixed(1)},${y(pick(p)).toFixed(1)}`);
    const dots = points
      .map(
        (p) =>
          `<circle cx="${x(p.offered).toFixed(1)}" cy="${y(pick(p)).toFixed(1)}" r="4" fill="${color}"/>`,
      )
      .join('');
    const last = points[points.length - 1];
    return (
      `<path d="${path.join(' ')}" fill="none" stroke="${color}" stroke-width="2"/>${dots}` +
      `<text x="${x(last.offered) + 10}" y="${y(pick(last)) + 4}" fill="${color}">${label}</text>`
    );
  };
  const yTicks = Array.from({ length: hi - lo + 1 }, (_, i) => 10 ** (lo + i))
    .map(
      (ms) =>
        `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${y(ms)}" y2="${y(ms)}" stroke="#ddd"/>` +
        `<text x="${MARGIN.left - 8}" y="${y(ms) + 4}" text-anchor="end">${ms.toLocaleString('en')}</text>`,
    )
    .join('');
  const xTicks = rates
    .map(
      (rate) =>
        `<text x="${x(rate)}" y="${MARGIN.top + plotH + 20}" text-anchor="middle">${rate.toLocaleString('en')}</text>`,
    )
    .join('');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${MARGIN.left}" y="24" font-size="14" font-weight="bold">${title}</text>`,
    yTicks,
    xTicks,
    `<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 10}" text-anchor="middle">offered rate (messages/s)</text>`,
    `<text transform="translate(18 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">POST → SSE latency (ms, log)</text>`,
    `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${y(targetMs)}" y2="${y(targetMs)}" stroke="#c00" stroke-dasharray="6 4"/>`,
    `<text x="${MARGIN.left + plotW + 10}" y="${y(targetMs) + 4}" fill="#c00">target p99 ${targetMs} ms</text>`,
    line((p) => p.p99, '#d9480f', 'p99'),
    line((p) => p.p50, '#1864ab', 'p50'),
    '</svg>',
    '',
  ].join('\n');
}
