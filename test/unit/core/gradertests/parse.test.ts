// Grader test files: the fixed minimal case shape parses; invalid lines get a diagnostic on the exact characters.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { describeExpect, parseGraderTests } from '../../../../src/core/gradertests/parse';
import { ERROR_FLAG_NAMES } from '../../../../src/core/graders/types';

const root = join(__dirname, '../../../..');
const minimal =
  '{"name": "n", "grader": "g.grader.json", "item": {"a": 1}, "sample": {"output_text": "x"}, "expect": {"reward": 1}}';

/** The text a diagnostic's range covers on its line. */
function marked(
  text: string,
  d: { range: { start: { line: number; character: number }; end: { character: number } } },
) {
  return text.split('\n')[d.range.start.line]!.slice(d.range.start.character, d.range.end.character);
}

describe('parseGraderTests', () => {
  it('reads the fixed minimal shape, with its line and range', () => {
    const text = `\n  ${minimal}\r\n`;
    const { cases, diagnostics } = parseGraderTests(text);
    assert.deepEqual(diagnostics, []);
    assert.equal(cases.length, 1);
    const c = cases[0]!;
    assert.equal(c.line, 1);
    assert.deepEqual(c.range, {
      start: { line: 1, character: 2 },
      end: { line: 1, character: 2 + minimal.length },
    });
    assert.deepEqual(c.item, { a: 1 });
    assert.deepEqual(c.sample, { output_text: 'x' });
    assert.deepEqual(c.expect, { reward: 1 });
  });

  it('accepts output_json, a range, expected flags, and a missing item', () => {
    const { cases, diagnostics } = parseGraderTests(
      '{"name": "r", "grader": "g", "sample": {"output_json": {"k": [1]}}, "expect": {"min": 0.2, "max": 0.9, "errors": []}}',
    );
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(cases[0]!.item, {});
    assert.equal(describeExpect(cases[0]!.expect), 'reward in [0.2, 0.9], no errors');
  });

  it('marks a syntax error at its character', () => {
    const text = `${minimal}\n{"name": "b", "grader": 'g'}`;
    const { cases, diagnostics } = parseGraderTests(text);
    assert.equal(cases.length, 1);
    assert.equal(diagnostics.length, 1);
    assert.equal(diagnostics[0]!.code, 'gradertest/invalid-json');
    assert.equal(diagnostics[0]!.range.start.line, 1);
    assert.equal(marked(text, diagnostics[0]!), "'g'");
    assert.match(diagnostics[0]!.message, /double quotes/);
  });

  it('puts schema problems on the value or key at fault', () => {
    const lines = [
      '{"name": "a", "grader": 7, "sample": {"output_text": "x"}, "expect": {"reward": 1}}',
      '{"name": "b", "grader": "g", "sample": {"text": "x"}, "expect": {"reward": 1}}',
      '{"name": "c", "grader": "g", "sample": {"output_text": "x"}, "expect": {}}',
      '{"name": "d", "grader": "g", "sample": {"output_text": "x"}}',
      '{"name": "e", "grader": "g", "sample": {"output_text": "x"}, "expect": {"reward": 1, "errors": ["no_such_flag"]}}',
      '[1, 2]',
    ];
    const text = lines.join('\n');
    const { cases, diagnostics } = parseGraderTests(text);
    assert.equal(cases.length, 0);
    const byLine = (l: number) => diagnostics.filter((d) => d.range.start.line === l);
    assert.equal(marked(text, byLine(0)[0]!), '7');
    assert.match(byLine(0)[0]!.message, /grader must be string/);
    assert.ok(
      byLine(1).some((d) => marked(text, d) === '"text"' && /unknown property "text"/.test(d.message)),
    );
    assert.ok(
      byLine(2).some((d) => marked(text, d) === '{}' && /exact "reward", or a range/.test(d.message)),
    );
    assert.match(byLine(3)[0]!.message, /missing the required property "expect"/);
    assert.equal(marked(text, byLine(4)[0]!), '"no_such_flag"');
    assert.equal(byLine(5)[0]!.code, 'gradertest/not-object');
    for (const d of diagnostics.filter((x) => x.range.start.line < 5))
      assert.equal(d.code, 'gradertest/schema');
  });

  it('rejects a contradictory expect and warns about a duplicate name', () => {
    const text = [
      '{"name": "a", "grader": "g", "sample": {"output_text": "x"}, "expect": {"reward": 1, "min": 0}}',
      '{"name": "b", "grader": "g", "sample": {"output_text": "x"}, "expect": {"min": 1, "max": 0}}',
      '{"name": "c", "grader": "g", "sample": {"output_text": "x"}, "expect": {"max": 1, "tolerance": 0.1}}',
      minimal,
      minimal,
    ].join('\n');
    const { cases, diagnostics } = parseGraderTests(text);
    assert.equal(cases.length, 2);
    assert.deepEqual(
      diagnostics.map((d) => [d.range.start.line, d.code, d.severity]),
      [
        [0, 'gradertest/expect', 'error'],
        [1, 'gradertest/expect', 'error'],
        [2, 'gradertest/expect', 'error'],
        [4, 'gradertest/duplicate-name', 'warning'],
      ],
    );
    assert.equal(marked(text, diagnostics[3]!), '"n"');
  });

  it('the schema lists exactly the engine error flags', () => {
    const schema = JSON.parse(readFileSync(join(root, 'schemas/gradertest.schema.json'), 'utf8')) as {
      properties: { expect: { properties: { errors: { items: { enum: string[] } } } } };
    };
    assert.deepEqual(schema.properties.expect.properties.errors.items.enum, [...ERROR_FLAG_NAMES]);
  });

  it('every demo grader test file parses without problems', () => {
    for (const f of ['toy_sentiment', 'clause_matching', 'countdown']) {
      const parsed = parseGraderTests(readFileSync(join(root, `demo/graders/${f}.gradertest.jsonl`), 'utf8'));
      assert.deepEqual(parsed.diagnostics, [], f);
      assert.ok(parsed.cases.length >= 3, f);
    }
  });
});
