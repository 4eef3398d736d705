// Lint on hostile grader files: absurd nesting, formulas past the caps and unterminated templates are
// diagnostics at the right range, never a stack overflow.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lintGraderText } from '../../../../src/core/graders/lint';
import { MAX_JSON_DEPTH } from '../../../../src/core/json/depth';

const check = (input: string) => ({
  type: 'string_check',
  name: 'c',
  input,
  reference: 'x',
  operation: 'eq',
});
const multi = (formula: string) => ({
  type: 'multi',
  name: 'm',
  graders: { a: check('{{ sample.output_text }}') },
  calculate_output: formula,
});
const at = (text: string, d: { range: { start: { line: number; character: number } } }) => {
  const lines = text.split('\n');
  let off = 0;
  for (let i = 0; i < d.range.start.line; i++) off += lines[i]!.length + 1;
  return off + d.range.start.character;
};

test('JSON nested past the limit: one grader/json-too-deep error at the first bracket too deep', () => {
  for (const text of [
    `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
    `{"type": "multi", "x": ${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}`,
  ]) {
    const d = lintGraderText(text);
    assert.deepEqual(
      d.map((x) => x.code),
      ['grader/json-too-deep'],
    );
    let depth = 0;
    let expected = -1;
    for (let i = 0; i < text.length && expected < 0; i++)
      if ((text[i] === '[' || text[i] === '{') && ++depth > MAX_JSON_DEPTH) expected = i;
    assert.equal(at(text, d[0]!), expected);
  }
  // Just within the limit it parses (and reports the schema, not the depth).
  const ok = `{"type": "string_check", "x": ${'['.repeat(MAX_JSON_DEPTH - 1)}${']'.repeat(MAX_JSON_DEPTH - 1)}}`;
  assert.ok(!lintGraderText(ok).some((x) => x.code === 'grader/json-too-deep'));
});

test('calculate_output at extreme sizes: a formula-syntax error inside the string, no overflow', () => {
  const flat = Array.from({ length: 10_000 }, () => 'a').join('+');
  const text = JSON.stringify(multi(flat));
  const d = lintGraderText(text).filter((x) => x.code === 'grader/formula-syntax');
  assert.equal(d.length, 1);
  assert.match(d[0]!.message, /19999 characters long; at most 10000/);
  assert.ok(at(text, d[0]!) > text.indexOf('"calculate_output"'));

  const parens = JSON.stringify(multi(`${'('.repeat(3000)}a${')'.repeat(3000)}`));
  assert.match(
    lintGraderText(parens).find((x) => x.code === 'grader/formula-syntax')!.message,
    /nested more than 100 levels/,
  );
  const fine = lintGraderText(JSON.stringify(multi(Array.from({ length: 3000 }, () => 'a').join('+'))));
  assert.ok(!fine.some((x) => x.severity === 'error'), JSON.stringify(fine));
});

test('an unterminated template is a grader/template-unterminated warning from "{{" to the end of the string', () => {
  const text = JSON.stringify(check('{{ sample.output_text }} vs {{ item.answer'), null, 2);
  const d = lintGraderText(text).filter((x) => x.code === 'grader/template-unterminated');
  assert.equal(d.length, 1);
  assert.equal(d[0]!.severity, 'warning');
  const start = text.indexOf('{{ item.answer');
  assert.equal(at(text, d[0]!), start);
  assert.equal(d[0]!.range.end.character - d[0]!.range.start.character, '{{ item.answer'.length);
  assert.match(d[0]!.message, /leaves "\{\{ item\.answer" as literal text/);
  // Closed templates, and text without braces, are not reported.
  assert.ok(
    !lintGraderText(JSON.stringify(check('{{ sample.output_text }}'))).some(
      (x) => x.code === 'grader/template-unterminated',
    ),
  );
  // A huge unterminated template is reported once, with a short excerpt.
  const long = lintGraderText(JSON.stringify(check(`{{ ${'x'.repeat(1_000_000)}`))).filter(
    (x) => x.code === 'grader/template-unterminated',
  );
  assert.equal(long.length, 1);
  assert.ok(long[0]!.message.length < 200);
});
