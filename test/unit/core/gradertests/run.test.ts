// Running grader tests with the real engine: pass, fail and error per case, tolerance and ranges, expected flags,
// graders read once per runner, and the refusals (python not allowed, no model) as errors with their message.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { GraderEngine } from '../../../../src/core/graders/engine';
import { checkExpectation, GraderTestRunner } from '../../../../src/core/gradertests/run';
import { readInputText } from '../../../../src/core/io/inputFile';
import { tempDir } from '../../../lib/tempFiles';

const dir = tempDir('rft-gradertest-');
mkdirSync(join(dir, 'graders'));
const put = (name: string, value: unknown) => {
  writeFileSync(join(dir, name), typeof value === 'string' ? value : JSON.stringify(value));
  return join(dir, name);
};
put('graders/eq.grader.json', {
  name: 'eq',
  type: 'string_check',
  input: '{{ sample.output_text }}',
  reference: '{{ item.answer }}',
  operation: 'eq',
});
put('graders/fuzzy.grader.json', {
  name: 'fuzzy',
  type: 'text_similarity',
  input: '{{ sample.output_json.label }}',
  reference: '{{ item.answer }}',
  evaluation_metric: 'fuzzy_match',
});
put('graders/py.grader.json', {
  name: 'py',
  type: 'python',
  source: 'def grade(sample, item):\n    return 1.0\n',
});
put('graders/judge.grader.json', {
  name: 'judge',
  type: 'score_model',
  model: 'o3-mini',
  input: [{ role: 'user', content: 'Score {{ sample.output_text }}' }],
  range: [0, 1],
});
put('graders/broken.grader.json', '{"type": "string_check", ');

const line = (o: Record<string, unknown>) =>
  JSON.stringify({ grader: 'graders/eq.grader.json', item: { answer: 'yes' }, ...o });

function runner(opts: { reads?: string[]; allowPython?: boolean } = {}) {
  const engine = new GraderEngine({ python: { allow: Boolean(opts.allowPython) } });
  return new GraderTestRunner({
    engine,
    allowPython: Boolean(opts.allowPython),
    pythonRefusal: 'python needs a trusted workspace',
    modelAvailable: false,
    modelRefusal: 'no model configured',
    readText: async (f) => {
      opts.reads?.push(f);
      return readInputText(f);
    },
  });
}

describe('GraderTestRunner', () => {
  it('passes, fails and errors per case, with the line and expected vs actual', async () => {
    const file = put(
      'a.gradertest.jsonl',
      [
        line({ name: 'match', sample: { output_text: 'yes' }, expect: { reward: 1 } }),
        line({ name: 'mismatch', sample: { output_text: 'no' }, expect: { reward: 1 } }),
        line({
          name: 'missing grader',
          grader: 'graders/none.grader.json',
          sample: { output_text: 'x' },
          expect: { reward: 1 },
        }),
        line({
          name: 'broken grader',
          grader: 'graders/broken.grader.json',
          sample: { output_text: 'x' },
          expect: { reward: 1 },
        }),
        '{"name": "bad line"',
      ].join('\n'),
    );
    const { results } = await runner().runFile(file);
    assert.deepEqual(
      results.map((r) => [r.line, r.name, r.status, r.reward]),
      [
        [0, 'match', 'passed', 1],
        [1, 'mismatch', 'failed', 0],
        [2, 'missing grader', 'errored', null],
        [3, 'broken grader', 'errored', null],
        [4, 'line 5', 'errored', null],
      ],
    );
    assert.equal(results[1]!.expected, 'reward 1');
    assert.match(results[1]!.message!, /expected reward 1, got 0/);
    assert.match(results[2]!.message!, /none\.grader\.json.*does not exist/);
    assert.match(results[3]!.message!, /is not valid: .*\[grader\/json-syntax\]/);
    assert.match(results[4]!.message!, /\[gradertest\/invalid-json\]/);
    assert.ok(results.every((r) => r.file === file));
  });

  it('compares exact rewards within the tolerance and ranges inclusively', async () => {
    const file = put(
      'b.gradertest.jsonl',
      [
        // fuzzy_match("Positiv", "Positive") is 14/15 = 0.9333…
        line({
          name: 'exact within 1e-6',
          grader: 'graders/fuzzy.grader.json',
          item: { answer: 'Positive' },
          sample: { output_json: { label: 'Positiv' } },
          expect: { reward: 0.9333333 },
        }),
        line({
          name: 'exact too far',
          grader: 'graders/fuzzy.grader.json',
          item: { answer: 'Positive' },
          sample: { output_json: { label: 'Positiv' } },
          expect: { reward: 0.93 },
        }),
        line({
          name: 'exact with tolerance',
          grader: 'graders/fuzzy.grader.json',
          item: { answer: 'Positive' },
          sample: { output_json: { label: 'Positiv' } },
          expect: { reward: 0.93, tolerance: 0.01 },
        }),
        line({ name: 'range edges count', sample: { output_text: 'yes' }, expect: { min: 1, max: 1 } }),
        line({ name: 'below min', sample: { output_text: 'no' }, expect: { min: 0.5 } }),
      ].join('\n'),
    );
    const { results } = await runner().runFile(file);
    assert.deepEqual(
      results.map((r) => r.status),
      ['passed', 'failed', 'passed', 'passed', 'failed'],
    );
    assert.match(results[4]!.message!, /expected reward ≥ 0\.5, got 0/);
  });

  it('checks expected error flags, and fails on unexpected ones', async () => {
    const file = put(
      'c.gradertest.jsonl',
      [
        line({
          name: 'flag expected',
          grader: 'graders/fuzzy.grader.json',
          sample: { output_text: 'plain' },
          expect: { reward: 0, errors: ['invalid_variable_error'] },
        }),
        line({
          name: 'flag unexpected',
          grader: 'graders/fuzzy.grader.json',
          sample: { output_text: 'plain' },
          expect: { reward: 0 },
        }),
        line({
          name: 'flag missing',
          sample: { output_text: 'yes' },
          expect: { reward: 1, errors: ['other_error'] },
        }),
      ].join('\n'),
    );
    const { results } = await runner().runFile(file);
    assert.deepEqual(
      results.map((r) => r.status),
      ['passed', 'failed', 'failed'],
    );
    assert.match(results[1]!.message!, /raised invalid_variable_error/);
    assert.ok(results[1]!.details.length > 0, 'the engine says which variable is missing');
    assert.match(results[2]!.message!, /expected errors \[other_error\], got \[\]/);
  });

  it('reads each grader once per runner, however many cases and files use it', async () => {
    const cases = Array.from({ length: 50 }, (_, i) =>
      line({ name: `c${i}`, sample: { output_text: 'yes' }, expect: { reward: 1 } }),
    );
    const f1 = put('d1.gradertest.jsonl', cases.join('\n'));
    const f2 = put('d2.gradertest.jsonl', cases.join('\n'));
    const reads: string[] = [];
    const r = runner({ reads });
    await r.runFile(f1);
    await r.runFile(f2);
    assert.deepEqual(reads.filter((f) => f.endsWith('eq.grader.json')).length, 1);
    r.invalidate(join(dir, 'graders/eq.grader.json'));
    await r.runFile(f1);
    assert.deepEqual(reads.filter((f) => f.endsWith('eq.grader.json')).length, 2);
  });

  it('errors python cases when python is not allowed, and model cases without a model', async () => {
    const file = put(
      'e.gradertest.jsonl',
      [
        line({
          name: 'py',
          grader: 'graders/py.grader.json',
          sample: { output_text: 'x' },
          expect: { reward: 1 },
        }),
        line({
          name: 'judge',
          grader: 'graders/judge.grader.json',
          sample: { output_text: 'x' },
          expect: { min: 0 },
        }),
      ].join('\n'),
    );
    const { results } = await runner().runFile(file);
    assert.deepEqual(
      results.map((r) => [r.status, r.message]),
      [
        ['errored', 'python needs a trusted workspace'],
        ['errored', 'no model configured'],
      ],
    );
  });

  it('asks for the model engine once, and only when a case needs a model', async () => {
    const file = put(
      'g.gradertest.jsonl',
      [
        line({ name: 'plain', sample: { output_text: 'yes' }, expect: { reward: 1 } }),
        line({
          name: 'judge 1',
          grader: 'graders/judge.grader.json',
          sample: { output_text: 'x' },
          expect: { min: 0 },
        }),
        line({
          name: 'judge 2',
          grader: 'graders/judge.grader.json',
          sample: { output_text: 'y' },
          expect: { min: 0 },
        }),
      ].join('\n'),
    );
    let asked = 0;
    const make = (withJudge: boolean) =>
      new GraderTestRunner({
        engine: new GraderEngine({ python: { allow: false } }),
        allowPython: false,
        modelAvailable: false,
        modelEngine: async () => {
          asked++;
          return 'sign in to the active provider first';
        },
      }).runFile(file, withJudge ? {} : { lines: new Set([0]) });
    assert.deepEqual(
      (await make(false)).results.map((r) => r.status),
      ['passed'],
    );
    assert.equal(asked, 0);
    const { results } = await make(true);
    assert.equal(asked, 1);
    assert.deepEqual(
      results.map((r) => [r.status, r.message ?? '']),
      [
        ['passed', ''],
        ['errored', 'sign in to the active provider first'],
        ['errored', 'sign in to the active provider first'],
      ],
    );
  });

  it('runs only the chosen lines, from unsaved text when given', async () => {
    const file = put('f.gradertest.jsonl', '');
    const text = [
      line({ name: 'one', sample: { output_text: 'yes' }, expect: { reward: 1 } }),
      'not json',
      line({ name: 'three', sample: { output_text: 'no' }, expect: { reward: 0 } }),
    ].join('\n');
    const seen: string[] = [];
    const { results } = await runner().runFile(file, {
      text,
      lines: new Set([2]),
      onResult: (r) => seen.push(r.name),
    });
    assert.deepEqual(
      results.map((r) => [r.name, r.status]),
      [['three', 'passed']],
    );
    assert.deepEqual(seen, ['three']);
  });
});

describe('checkExpectation', () => {
  it('rejects NaN rewards whatever the expectation', () => {
    assert.ok(checkExpectation({ reward: 0, tolerance: 1 }, Number.NaN, []));
    assert.ok(checkExpectation({ min: 0 }, Number.NaN, []));
    assert.equal(checkExpectation({ min: 0 }, 0, []), undefined);
  });
});
