// `npm run bench -- gradertest`: grader unit test cases per second through the `rft-studio test` path (read the file,
// check every line against the schema, build the sample, grade, judge, report) for string_check and text_similarity
// graders, against the bare engine loop over the same cases (the baseline, measured in the same run). Target ≥ 10,000/s.
// Flags: --cases=N (default 20000 per grader).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runCli } from '../src/cli/app';
import { GraderEngine } from '../src/core/graders/engine';
import { buildSample } from '../src/core/graders/sample';
import type { Grader } from '../src/core/graders/types';
import { fmt, table } from './util';

function flag(flags: string[], name: string, fallback: number): number {
  const f = flags.find((x) => x.startsWith(`--${name}=`));
  return f ? Number(f.split('=')[1]) : fallback;
}

const LABELS = [
  'Positive',
  'Negative',
  'Neutral',
  'Mixed',
  'positive',
  'Positiv',
  'Exclusivity',
  'License Grant',
];

const GRADERS: Record<string, Grader> = {
  string_check: {
    name: 'eq',
    type: 'string_check',
    input: '{{ sample.output_json.sentiment }}',
    reference: '{{ item.reference_answer }}',
    operation: 'eq',
  },
  fuzzy_match: {
    name: 'fuzzy',
    type: 'text_similarity',
    input: '{{ sample.output_json.sentiment }}',
    reference: '{{ item.reference_answer }}',
    evaluation_metric: 'fuzzy_match',
  },
  rouge_l: {
    name: 'rouge',
    type: 'text_similarity',
    input: '{{ sample.output_text }}',
    reference: '{{ item.reference_answer }}',
    evaluation_metric: 'rouge_l',
  },
} as Record<string, Grader>;

export default async function bench(flags: string[]): Promise<void> {
  const n = flag(flags, 'cases', 20000);
  const dir = mkdtempSync(join(tmpdir(), 'rft-bench-gradertest-'));
  const rows: Array<Record<string, string | number>> = [];
  const io = {
    stdout: () => {},
    stderr: (t: string) => process.stderr.write(t),
    cwd: dir,
    env: {},
    signal: new AbortController().signal,
  };
  try {
    for (const [kind, grader] of Object.entries(GRADERS)) {
      writeFileSync(join(dir, `${kind}.grader.json`), JSON.stringify(grader));
      const cases = Array.from({ length: n }, (_, i) => {
        const ref = LABELS[i % LABELS.length]!;
        const out = LABELS[(i * 7) % LABELS.length]!;
        return {
          name: `case ${i}`,
          grader: `${kind}.grader.json`,
          item: { id: String(i), reference_answer: ref },
          sample: kind === 'rouge_l' ? { output_text: `${out} ${ref}` } : { output_json: { sentiment: out } },
          expect: { min: 0, max: 1 },
        };
      });
      const file = join(dir, `${kind}.gradertest.jsonl`);
      writeFileSync(file, `${cases.map((c) => JSON.stringify(c)).join('\n')}\n`);

      // Baseline: the engine alone over the same (already parsed) items and samples.
      const engine = new GraderEngine({ python: { allow: false } });
      const prepared = cases.map((c) => ({ item: c.item, sample: c.sample }));
      const bare = () => {
        const t0 = performance.now();
        for (const c of prepared) engine.gradeSync(grader, c.item, buildSample(c.sample));
        return performance.now() - t0;
      };
      bare();
      const bareMs = Math.min(bare(), bare());
      engine.dispose();

      const viaCli = async () => {
        const t0 = performance.now();
        const code = await runCli(['test', file, '--reporter', 'json'], io);
        if (code !== 0) throw new Error(`rft-studio test exited ${code}`);
        return performance.now() - t0;
      };
      await viaCli();
      const cliMs = Math.min(await viaCli(), await viaCli());
      rows.push({
        grader: kind,
        cases: n,
        'engine loop /s': fmt((n / bareMs) * 1000, 0),
        'rft-studio test /s': fmt((n / cliMs) * 1000, 0),
        'test ms': fmt(cliMs),
        'test / engine time': fmt(cliMs / bareMs, 2),
        'target 10k/s': (n / cliMs) * 1000 >= 10000 ? 'met' : 'MISSED',
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  table(rows);
}
