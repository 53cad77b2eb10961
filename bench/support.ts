import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Latency samples in milliseconds. */
export class Samples {
  readonly values: number[] = [];

  add(ms: number): void {
    this.values.push(ms);
  }

  percentile(p: number): number {
    const sorted = [...this.values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
  }

  /** How many a second, had they run one after another. */
  sequentialRate(): number {
    return this.values.length / (this.values.reduce((sum, ms) => sum + ms, 0) / 1000);
  }

  summary() {
    return { n: this.values.length, p50: round(this.percentile(50)), p99: round(this.percentile(99)) };
  }
}

export function round(n: number, digits = 2): number {
  return Math.round(n * 10 ** digits) / 10 ** digits;
}

export async function timed(samples: Samples, work: () => Promise<unknown>): Promise<void> {
  const start = process.hrtime.bigint();
  await work();
  samples.add(Number(process.hrtime.bigint() - start) / 1e6);
}

export interface Row {
  scenario: string;
  n: number;
  p50: number;
  p99: number;
  target?: string;
  verdict?: string;
}

export function printTable(title: string, rows: Row[]): void {
  console.log(`\n${title}`);
  console.table(
    rows.map((r) => ({
      scenario: r.scenario,
      n: r.n,
      'p50 ms': r.p50,
      'p99 ms': r.p99,
      target: r.target ?? '',
      verdict: r.verdict ?? '',
    })),
  );
}

export function writeResults(name: string, data: object): string {
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  return file;
}
