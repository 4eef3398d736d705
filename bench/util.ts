// Helpers shared by the benchmarks: timing, peak RSS sampling, and table output.
import { performance } from 'node:perf_hooks';

export interface Measured<T> {
  ms: number;
  peakRssMb: number;
  result: T;
}

/** Runs fn once, sampling RSS every 20 ms to report the peak. */
export async function measure<T>(fn: () => Promise<T> | T): Promise<Measured<T>> {
  global.gc?.();
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  const t0 = performance.now();
  try {
    const result = await fn();
    const ms = performance.now() - t0;
    peak = Math.max(peak, process.memoryUsage.rss());
    return { ms, peakRssMb: peak / 2 ** 20, result };
  } finally {
    clearInterval(timer);
  }
}

export function fmt(n: number, digits = 1): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function table(rows: Record<string, string | number>[]): void {
  if (!rows.length) return;
  const cols = Object.keys(rows[0]);
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(width[i])).join('  ');
  console.log(line(cols));
  for (const r of rows) console.log(line(cols.map((c) => String(r[c]))));
}
