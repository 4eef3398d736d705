// Shared by the eval runner tests: a temporary workspace holding a spec over the demo's Countdown items, a
// string_check grader (solved = the reported result equals the target), and emulator-side request counting.
import { mkdtempSync, writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Emulator } from '../../../src/emulator/server';
import type { EvalSpecFile } from '../../../src/core/evals/types';

export const REPO = join(__dirname, '../../..');
export const COUNTDOWN_DATA = join(REPO, 'demo/datasets/rft/countdown_valid.jsonl');
export const COUNTDOWN_FORMAT = join(REPO, 'demo/graders/countdown.response_format.json');

export const SOLVED_GRADER = {
  type: 'string_check',
  name: 'solved',
  input: '{{sample.output_json.result}}',
  reference: '{{item.target}}',
  operation: 'eq',
};

/** A workspace with `evals/NAME.rfteval.json` and `data/items.jsonl` (the demo items repeated `copies` times). */
export function workspace(spec: Partial<EvalSpecFile> = {}, copies = 1): { root: string; specPath: string } {
  const root = mkdtempSync(join(tmpdir(), 'rft-eval-'));
  mkdirSync(join(root, 'evals'));
  mkdirSync(join(root, 'data'));
  const lines = readFileSync(COUNTDOWN_DATA, 'utf8')
    .split('\n')
    .filter((l) => l.trim());
  const out: string[] = [];
  for (let c = 0; c < copies; c++)
    for (const l of lines) {
      const item = JSON.parse(l) as { messages: Array<{ role: string; content: string }> };
      // Copies differ in their prompt, so each is a request of its own (the cache keys on content).
      const messages = c
        ? item.messages.map((m, i) =>
            i === item.messages.length - 1 ? { ...m, content: `${m.content}\n(copy ${c})` } : m,
          )
        : item.messages;
      out.push(JSON.stringify({ ...item, messages, id: `c${c}-${out.length}` }));
    }
  writeFileSync(join(root, 'data/items.jsonl'), `${out.join('\n')}\n`);
  writeFileSync(join(root, 'evals/solved.grader.json'), JSON.stringify(SOLVED_GRADER));
  const full: EvalSpecFile = {
    name: 'countdown',
    dataset: '../data/items.jsonl',
    graders: ['solved.grader.json'],
    response_format: COUNTDOWN_FORMAT,
    samples_per_item: 2,
    candidates: [
      { label: 'base', model: 'o4-mini-2025-04-16', seed: 7 },
      { label: 'tuned', model: 'ft:o4-mini-2025-04-16:org:countdown:abc123', seed: 7 },
    ],
    ...spec,
  };
  const specPath = join(root, 'evals/countdown.rfteval.json');
  writeFileSync(specPath, JSON.stringify(full, null, 2));
  return { root, specPath };
}

/** Model requests the emulator answered with 200 (or saw at all), from its request log. */
export function modelRequests(em: Emulator, opts: { status?: number } = {}): number {
  return em
    .requests()
    .filter(
      (r) =>
        (r.path.endsWith('/chat/completions') || r.path.endsWith('/responses')) &&
        (opts.status === undefined || r.status === opts.status),
    ).length;
}
