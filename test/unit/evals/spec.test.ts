// Eval specs: the minimal spec resolves unchanged (paths relative to the spec), defaults, limit and seeded
// sample, and each spec problem is reported with a clear message at its line.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EvalSpecError, loadEvalSpec, parseEvalSpec } from '../../../src/core/evals/spec';
import { REPO, workspace } from './evalKit';

const MINIMAL = `{"name": "countdown", "dataset": "../datasets/rft/countdown_valid.jsonl",
 "graders": ["../graders/countdown.grader.json"], "response_format": "../graders/countdown.response_format.json",
 "samples_per_item": 2,
 "candidates": [{"label": "base", "model": "o4-mini-2025-04-16"},
                {"label": "tuned", "model": "ft:o4-mini-2025-04-16:org:countdown:abc123"}]}`;

function demoLayout(): string {
  const root = mkdtempSync(join(tmpdir(), 'rft-evalspec-'));
  for (const d of ['evals', 'datasets/rft', 'graders']) mkdirSync(join(root, d), { recursive: true });
  for (const f of [
    'datasets/rft/countdown_valid.jsonl',
    'graders/countdown.grader.json',
    'graders/countdown.response_format.json',
  ])
    copyFileSync(join(REPO, 'demo', f), join(root, f));
  return root;
}

async function problem(specText: string, root = demoLayout()): Promise<EvalSpecError> {
  const file = join(root, 'evals/x.rfteval.json');
  writeFileSync(file, specText);
  try {
    await loadEvalSpec(file);
  } catch (e) {
    assert.ok(e instanceof EvalSpecError, String(e));
    return e;
  }
  assert.fail('the spec loaded');
}

describe('eval spec', () => {
  test("the issue's minimal spec resolves unchanged, paths relative to the spec file", async () => {
    const root = demoLayout();
    writeFileSync(join(root, 'evals/countdown.rfteval.json'), MINIMAL);
    const spec = await loadEvalSpec(join(root, 'evals/countdown.rfteval.json'));
    assert.equal(spec.name, 'countdown');
    assert.equal(spec.datasetPath, join(root, 'datasets/rft/countdown_valid.jsonl'));
    assert.equal(spec.items.length, spec.datasetItems);
    assert.ok(spec.items.length > 10);
    assert.deepEqual(spec.items[0]!.key, 'line 1');
    assert.equal(spec.items[0]!.line, 0);
    assert.deepEqual(
      spec.graders.map((g) => g.name),
      ['countdown'],
    );
    assert.equal(spec.graders[0]!.grader.type, 'score_model');
    assert.equal((spec.responseFormat as { type: string }).type, 'json_schema');
    assert.equal(spec.samplesPerItem, 2);
    assert.equal(spec.passThreshold, 0.5);
    assert.equal(spec.maxConcurrency, 16);
    assert.equal(spec.mode, 'online');
    assert.match(spec.hashes.dataset, /^[0-9a-f]{64}$/);
    assert.match(spec.hashes.graders.countdown!, /^[0-9a-f]{64}$/);
    assert.equal(spec.resolved.dataset, spec.datasetPath);
    assert.equal(typeof spec.resolved.graders[0], 'object');
  });

  test('limit, then a seeded sample: the same seed picks the same items, in file order', async () => {
    const a = workspace({ limit: 12, sample: { size: 5, seed: 3 } });
    const s1 = await loadEvalSpec(a.specPath);
    const s2 = await loadEvalSpec(a.specPath);
    assert.equal(s1.items.length, 5);
    assert.deepEqual(
      s1.items.map((x) => x.line),
      s2.items.map((x) => x.line),
    );
    assert.ok(s1.items.every((x, i) => x.index === i && x.line < 12));
    assert.deepEqual(
      [...s1.items.map((x) => x.line)].sort((p, q) => p - q),
      s1.items.map((x) => x.line),
    );
    const other = workspace({ limit: 12, sample: { size: 5, seed: 4 } });
    assert.notDeepEqual(
      (await loadEvalSpec(other.specPath)).items.map((x) => x.line),
      s1.items.map((x) => x.line),
    );
  });

  test('inline graders are named by their name; two graders with one name are refused', async () => {
    const { specPath } = workspace({
      graders: [
        'solved.grader.json',
        {
          type: 'string_check',
          name: 'nonempty',
          input: '{{sample.output_text}}',
          reference: '',
          operation: 'ne',
        },
      ],
    });
    assert.deepEqual(
      (await loadEvalSpec(specPath)).graders.map((g) => g.name),
      ['solved', 'nonempty'],
    );
    const dup = workspace({
      graders: [
        'solved.grader.json',
        { type: 'string_check', name: 'solved', input: 'a', reference: 'a', operation: 'eq' },
      ],
    });
    await assert.rejects(loadEvalSpec(dup.specPath), /Two graders are named "solved"/);
  });

  test('spec problems: positioned diagnostics from the schema and the cross-field rules', () => {
    const one = parseEvalSpec(
      `{"name": "x", "dataset": "d.jsonl", "graders": ["g.json"],\n "candidates": [{"label": "a", "model": "m"}]}`,
    );
    assert.equal(one.spec, undefined);
    assert.match(one.diagnostics[0]!.message, /candidates .*fewer than 2|must NOT have fewer than 2 items/);
    assert.equal(one.diagnostics[0]!.range.start.line, 1);
    const dup = parseEvalSpec(
      `{"name": "x", "dataset": "d.jsonl", "graders": ["g.json"],\n "candidates": [{"label": "a", "model": "m"},\n {"label": "a", "model": "n"}]}`,
    );
    assert.equal(dup.diagnostics.length, 1);
    assert.equal(dup.diagnostics[0]!.code, 'rfteval/duplicate-label');
    assert.match(dup.diagnostics[0]!.message, /"a" is used twice/);
    assert.equal(dup.diagnostics[0]!.range.start.line, 2);
    const gate = parseEvalSpec(
      `{"name": "x", "dataset": "d.jsonl", "graders": ["g.json"], "candidates": [{"label": "a", "model": "m"}, {"label": "b", "model": "n"}],\n "gates": [{"candidate": "c", "mean": {"min": 1}}]}`,
    );
    assert.match(gate.diagnostics[0]!.message, /names candidate "c", which the spec does not have/);
    const unknown = parseEvalSpec(
      `{"name": "x", "dataset": "d.jsonl", "graders": ["g.json"], "candidates": [], "temperature": 1}`,
    );
    assert.ok(unknown.diagnostics.some((d) => /Unknown field "temperature"/.test(d.message)));
    const syntax = parseEvalSpec('{"name": ');
    assert.equal(syntax.diagnostics[0]!.code, 'rfteval/json-syntax');
  });

  test('a missing dataset, an unreadable grader and a bad dataset line say which file and where', async () => {
    const base = JSON.parse(MINIMAL) as Record<string, unknown>;
    const missing = await problem(
      JSON.stringify({ ...base, dataset: '../datasets/rft/nope.jsonl' }, null, 2),
    );
    assert.match(missing.message, /x\.rfteval\.json:3:\d+: The dataset .*nope\.jsonl does not exist\./);
    const root = demoLayout();
    writeFileSync(join(root, 'graders/broken.grader.json'), '{"type": "string_check", ');
    const broken = await problem(
      JSON.stringify({ ...base, graders: ['../graders/broken.grader.json'] }, null, 2),
      root,
    );
    assert.match(broken.message, /The grader file .*broken\.grader\.json is not valid JSON/);
    assert.equal(broken.diagnostics[0]!.range.start.line, 4);
    writeFileSync(join(root, 'graders/odd.grader.json'), '{"type": "string_check", "input": 3}');
    assert.match(
      (await problem(JSON.stringify({ ...base, graders: ['../graders/odd.grader.json'] }), root)).message,
      /is not a valid grader/,
    );
    writeFileSync(
      join(root, 'datasets/rft/bad.jsonl'),
      '{"messages": [{"role": "user", "content": "hi"}]}\n{oops\n',
    );
    assert.match(
      (await problem(JSON.stringify({ ...base, dataset: '../datasets/rft/bad.jsonl' }), root)).message,
      /1 unreadable line\(s\): line 2: not valid JSON/,
    );
    const schema = await problem(JSON.stringify({ ...base, candidates: [{ label: 'a', model: 'm' }] }), root);
    assert.match(schema.message, /x\.rfteval\.json:1:\d+: .*candidates/);
  });
});
