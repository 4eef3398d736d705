// A small, realistic eval run folder (the layout of src/core/evals/types.ts: run.json, spec.json, results.jsonl) on
// a 12-item countdown dataset with a `category` label field, for the comparison view's unit, in-editor and e2e
// tests. The rewards are chosen so the expected numbers can be worked out by hand (see EXPECTED).
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/** Headline (`countdown`) rewards per item and sample. base sample 2 of item 2 failed (reward null). */
export const BASE_REWARDS: Array<Array<number | null>> = [
  [0, 0],
  [1, 0],
  [0, 0, null],
  [1, 1],
  [0, 1],
  [1, 0],
  [0, 0],
  [0, 0],
  [1, 0],
  [0, 0],
  [0, 1],
  [1, 1],
];
export const TUNED_REWARDS: number[][] = [
  [1, 1],
  [1, 1],
  [1, 0],
  [1, 1],
  [1, 1],
  [0, 0],
  [1, 1],
  [0, 1],
  [1, 1],
  [1, 1],
  [1, 1],
  [1, 1],
];
export const CATEGORIES = ['easy', 'medium', 'hard'] as const;

/** The numbers a reader can check by hand: per-item means, their differences, outcomes and label groups. */
export const EXPECTED = {
  meanBase: 4.5 / 12,
  meanTuned: 10 / 12,
  difference: 5.5 / 12,
  /** Wilcoxon signed-rank over the 10 non-zero differences (seven ±0.5, three +1; W− = 4), normal approximation
   * with tie and continuity corrections: z = (51 − 27.5 − 0.5) / √88.75. */
  wilcoxonP: 0.01463,
  wins: 9,
  ties: 2,
  losses: 1,
  /** Two-sided exact sign test of 9 wins against 1 loss: 2 · (1 + 10) / 2^10. */
  signTestP: 22 / 1024,
  /** Share of graded samples at or above 0.5: 9 of 24 (base), 20 of 24 (tuned). */
  passBase: 9 / 24,
  passTuned: 20 / 24,
  samplesBase: 25,
  errorsBase: 1,
  labels: {
    easy: { items: 4, tuned: 1, base: 0.25, wins: 3, ties: 1, losses: 0 },
    hard: { items: 4, tuned: 0.625, base: 0.5, wins: 2, ties: 1, losses: 1 },
    medium: { items: 4, tuned: 0.875, base: 0.375, wins: 4, ties: 0, losses: 0 },
  },
  /** The item whose outputs hold a comma, a quote and a line break (CSV quoting). */
  trickyItem: 'cd-004',
};

const TARGETS = [24, 10, 7, 36, 15, 12, 9, 48, 5, 100, 21, 64];

function output(candidate: string, item: number, sample: number, reward: number | null): string {
  if (reward === null) return '';
  if (candidate === 'base' && item === 4 && sample === 0) return 'I think "maybe" 3 + 5, then\n× 2 = 16';
  return reward === 1
    ? `{"expression": "(${TARGETS[item] - 1}) + 1", "result": ${TARGETS[item]}}`
    : `{"expression": "${item} * 2", "result": ${item * 2}}`;
}

export interface EvalRunFixture {
  /** The run folder (.rft/evals/countdown-20261201-101500). */
  runDir: string;
  dataset: string;
}

/** Writes the dataset and the run folder under `root` (a workspace); returns their paths. */
export function writeEvalRunFixture(
  root: string,
  opts: { name?: string; corruptLastLine?: boolean } = {},
): EvalRunFixture {
  const dataset = path.join(root, 'datasets', 'countdown_eval.jsonl');
  mkdirSync(path.dirname(dataset), { recursive: true });
  writeFileSync(
    dataset,
    TARGETS.map((t, i) =>
      JSON.stringify({
        id: `cd-${String(i).padStart(3, '0')}`,
        messages: [{ role: 'user', content: `Using the numbers given, make ${t}.` }],
        target: t,
        category: CATEGORIES[i % 3],
      }),
    ).join('\n') + '\n',
  );
  const name = opts.name ?? 'countdown-20261201-101500';
  const runDir = path.join(root, '.rft', 'evals', name);
  mkdirSync(runDir, { recursive: true });
  const candidates = [
    { label: 'base', model: 'o4-mini-2025-04-16' },
    { label: 'tuned', model: 'ft:o4-mini-2025-04-16:org:countdown:abc123' },
  ];
  writeFileSync(
    path.join(runDir, 'spec.json'),
    JSON.stringify(
      {
        name: 'countdown',
        dataset,
        graders: [
          {
            type: 'string_check',
            name: 'countdown',
            input: '{{sample.output_text}}',
            reference: '',
            operation: 'eq',
          },
        ],
        samples_per_item: 2,
        candidates,
        pass_threshold: 0.5,
        label_field: 'category',
      },
      null,
      2,
    ),
  );
  writeFileSync(
    path.join(runDir, 'run.json'),
    JSON.stringify(
      {
        name: 'countdown',
        spec_path: 'evals/countdown.rfteval.json',
        created: '2026-12-01T10:15:00.000Z',
        finished: '2026-12-01T10:16:40.000Z',
        status: 'completed',
        hashes: {
          dataset: createHash('sha256').update(readFileSync(dataset)).digest('hex'),
          graders: { countdown: 'b'.repeat(64) },
        },
        providers: { base: { kind: 'emulator', base_url: 'http://127.0.0.1:0/v1' } },
        counts: { requests: 49, cached: 0, failed: 1 },
      },
      null,
      2,
    ),
  );
  const rows: string[] = [];
  // Interleaved the way a concurrent run appends them: candidates and samples finish out of order.
  for (let item = 0; item < TARGETS.length; item++) {
    for (const [label, rewards] of [
      ['tuned', TUNED_REWARDS],
      ['base', BASE_REWARDS],
    ] as const) {
      rewards[item].forEach((reward, sample) => {
        const failed = reward === null;
        rows.push(
          JSON.stringify({
            item,
            item_key: `cd-${String(item).padStart(3, '0')}`,
            line: item,
            candidate: label,
            sample,
            reward,
            graders: failed
              ? {}
              : {
                  countdown: { reward, errors: [] },
                  format: { reward: label === 'tuned' ? 1 : 0.5, errors: [] },
                },
            output: output(label, item, sample, reward),
            ...(failed
              ? { error: { stage: 'sample', message: 'HTTP 500 after 4 attempts', status: 500 } }
              : {}),
            usage: { input_tokens: 42, output_tokens: 17 },
            latency_ms: 120 + item,
            cached: false,
            request: `${label}-${item}-${sample}`.padEnd(64, '0'),
          }),
        );
      });
    }
  }
  writeFileSync(
    path.join(runDir, 'results.jsonl'),
    rows.join('\n') + '\n' + (opts.corruptLastLine ? '{"item": 3, "candidate": "ba' : ''),
  );
  return { runDir, dataset };
}
