// `npm run bench -- evalReport [--quick]`: the report of a large eval run folder (writeRunSummary: stream
// results.jsonl into per-item aggregates, bootstrap intervals, Wilcoxon and sign tests, summary files). Figures:
// time and peak RSS for 10,000 items × 4 samples × 2 candidates and 50,000 × 2 × 2 (--quick: 10,000 only), against
// the baseline measured in the same run: reading and JSON-parsing the same results.jsonl and nothing else.
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readJsonlLines } from '../src/core/datasets/jsonlReader';
import { writeRunSummary } from '../src/core/evals/report';
import { bootstrapMeanCI } from '../src/core/evals/stats';
import { fmt, measure, table } from './util';

function writeRun(dir: string, items: number, k: number): void {
  writeFileSync(
    join(dir, 'spec.json'),
    JSON.stringify({
      name: 'bench',
      dataset: join(dir, 'none.jsonl'),
      graders: [],
      candidates: [
        { label: 'base', model: 'o4-mini-2025-04-16' },
        { label: 'tuned', model: 'ft:o4-mini-2025-04-16:org:bench:x' },
      ],
    }),
  );
  const lines: string[] = [];
  let seed = 1;
  const rnd = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  const flush = (last = false) => {
    if (lines.length >= 20000 || last) {
      writeFileSync(join(dir, 'results.jsonl'), lines.join('\n') + '\n', { flag: 'a' });
      lines.length = 0;
    }
  };
  for (let i = 0; i < items; i++)
    for (const [c, p] of [
      ['base', 0.4],
      ['tuned', 0.6],
    ] as const)
      for (let s = 0; s < k; s++) {
        const reward = rnd() < p ? 1 : 0;
        lines.push(
          JSON.stringify({
            item: i,
            item_key: `item-${i}`,
            line: i,
            candidate: c,
            sample: s,
            reward,
            graders: { solved: { reward, errors: [] } },
            output: `{"expression": "(${i} + ${s}) * 2", "result": "${(i + s) * 2}"}`,
            usage: { input_tokens: 120, output_tokens: 40 },
            latency_ms: 300,
            cached: false,
            request: 'a'.repeat(64),
          }),
        );
        flush();
      }
  flush(true);
}

export default async function bench(flags: string[]): Promise<void> {
  const sizes: Array<[number, number]> = flags.includes('--quick')
    ? [[10_000, 4]]
    : [
        [10_000, 4],
        [50_000, 2],
      ];
  const rows: Record<string, string | number>[] = [];
  for (const [items, k] of sizes) {
    const dir = mkdtempSync(join(tmpdir(), 'rft-bench-evalreport-'));
    try {
      writeRun(dir, items, k);
      const file = join(dir, 'results.jsonl');
      const base = await measure(async () => {
        let n = 0;
        for await (const l of readJsonlLines(file))
          if (l.text) n += (JSON.parse(l.text) as { sample: number }).sample >= 0 ? 1 : 0;
        return n;
      });
      const report = await measure(() => writeRunSummary(dir));
      const boot = await measure(() => bootstrapMeanCI(Array.from({ length: items }, (_, i) => (i % 3) / 2)));
      rows.push({
        run: `${fmt(items, 0)} items × ${k} × 2`,
        'results MB': fmt(statSync(file).size / 2 ** 20),
        'read+parse ms (baseline)': fmt(base.ms, 0),
        'report ms': fmt(report.ms, 0),
        ratio: fmt(report.ms / base.ms, 2),
        'one bootstrap CI ms': fmt(boot.ms, 0),
        'report peak RSS MB': fmt(report.peakRssMb, 0),
        difference: fmt(report.result.comparisons[0].difference, 3),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  table(rows);
}
