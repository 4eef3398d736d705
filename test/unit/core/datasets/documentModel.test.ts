// The editor's incremental model must always equal a fresh validation of the same text, whatever
// sequence of edits got it there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { TextChange } from '../../../../src/core/datasets/documentModel';
import { DatasetDocumentModel } from '../../../../src/core/datasets/documentModel';
import { validateDatasetText } from '../../../../src/core/datasets/validate';
import { comparable } from './helpers';

const POOL = [
  '{"messages":[{"role":"user","content":"q1"}],"target":1}',
  '{"messages":[{"role":"user","content":"q2"}],"target":2}',
  '{"messages":[{"role":"user","content":"q3"}],"target":"3"}',
  '{"messages":[{"role":"system","content":"s"},{"role":"user","content":"q4"}],"target":4}',
  '{"messages":[{"role":"user","content":"q5"},{"role":"assistant","content":"a5"}],"target":5}',
  '{"messages":[{"role":"user","content":"q6"}],"targt":6}',
  '{"messages":[{"role":"user","content":"q7"}]',
  '{"input":{"messages":[{"role":"user","content":"d"}]},"preferred_output":[{"role":"assistant","content":"p"}],"non_preferred_output":[{"role":"assistant","content":"n"}]}',
  '{"item":{"x":1}}',
  '',
  '  ',
  '[1]',
  '\ufeff{"messages":[{"role":"user","content":"bom"}],"target":9}',
];

function offsetOf(lines: string[], line: number, ch: number): number {
  let o = 0;
  for (let i = 0; i < line; i++) o += lines[i].length + 1;
  return o + ch;
}

const changeArb = fc.record({
  a: fc.nat(),
  b: fc.nat(),
  ca: fc.nat(),
  cb: fc.nat(),
  insert: fc
    .array(fc.oneof(fc.constantFrom(...POOL), fc.constantFrom('\n', '"', '}', 'x', ',', '\r\n')), {
      maxLength: 4,
    })
    .map((p) => p.join('')),
});

test('incremental edits always give the same report as validating the text from scratch', () => {
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom(...POOL), { maxLength: 25 }),
      fc.constantFrom(undefined, 'train.sft.jsonl', 'valid.jsonl'),
      fc.array(changeArb, { minLength: 1, maxLength: 12 }),
      (initial, fileName, changes) => {
        let text = initial.join('\n') + (initial.length % 2 ? '\n' : '');
        const model = new DatasetDocumentModel({ fileName, maxPerRule: 3 });
        model.setText(text);
        for (const c of changes) {
          const lines = text.split('\n');
          const l1 = c.a % lines.length;
          const l2 = l1 + (c.b % Math.min(3, lines.length - l1));
          const ch1 = c.ca % (lines[l1].length + 1);
          const ch2 = l2 === l1 ? ch1 + (c.cb % (lines[l2].length - ch1 + 1)) : c.cb % (lines[l2].length + 1);
          // Never split a CRLF pair: the editor never does.
          if (lines[l2].endsWith('\r') && ch2 === lines[l2].length) continue;
          const change: TextChange = {
            startLine: l1,
            startCharacter: ch1,
            endLine: l2,
            endCharacter: ch2,
            text: c.insert.replace(/\r\n/g, '\n'),
          };
          text = text.slice(0, offsetOf(lines, l1, ch1)) + change.text + text.slice(offsetOf(lines, l2, ch2));
          model.applyChange(change);
          const fresh = validateDatasetText(text, { fileName, maxPerRule: 3 });
          const got = model.report();
          assert.equal(model.lineCount, text.split('\n').length);
          assert.deepEqual(
            { ...(comparable(got) as object), bytes: 0 },
            { ...(comparable(fresh) as object), bytes: 0 },
            JSON.stringify(text),
          );
          assert.equal(got.bytes, Buffer.byteLength(text));
        }
      },
    ),
    { numRuns: 200 },
  );
});

test('typing a line into a large document only re-checks that line', () => {
  const lines = Array.from(
    { length: 2000 },
    (_, i) => `{"messages":[{"role":"user","content":"q${i}"}],"target":${i}}`,
  );
  const model = new DatasetDocumentModel();
  model.setText(lines.join('\n') + '\n');
  const before = model.summary(10);
  model.applyChange({ startLine: 1500, startCharacter: 0, endLine: 1500, endCharacter: 0, text: 'x' });
  assert.equal(model.summary(10), before, 'an untouched line keeps its cached summary object');
  const r = model.report();
  assert.deepEqual(
    r.diagnostics.map((d) => [d.code, d.range.start.line]),
    [['jsonl/invalid-json', 1500]],
  );
  model.applyChange({ startLine: 1500, startCharacter: 0, endLine: 1500, endCharacter: 1, text: '' });
  assert.deepEqual(model.report().diagnostics, []);
});

test('a format decided by the first examples flips when they are edited, and the file is re-checked', () => {
  const sft = (i: number) =>
    `{"messages":[{"role":"user","content":"q${i}"},{"role":"assistant","content":"a"}]}`;
  const model = new DatasetDocumentModel();
  model.setText(Array.from({ length: 12 }, (_, i) => sft(i)).join('\n'));
  assert.equal(model.report().format, 'sft');
  // No example has a system message: said once for the file, not on each of the 12 lines.
  assert.deepEqual(
    model.report().diagnostics.map((d) => [d.code, d.range.start.line, d.data]),
    [['sft/no-system-message', 0, { count: 12 }]],
  );
  // Replace everything with RFT-shaped lines except one: the leftover SFT line is now an RFT error.
  for (let i = 0; i < 11; i++) {
    const len = sft(i).length;
    model.applyChange({
      startLine: i,
      startCharacter: 0,
      endLine: i,
      endCharacter: len,
      text: `{"messages":[{"role":"user","content":"q${i}"}],"t":${i}}`,
    });
  }
  const r = model.report();
  assert.equal(r.format, 'rft');
  assert.deepEqual(
    r.diagnostics.map((d) => [d.code, d.range.start.line]),
    [
      ['dataset/field-missing', 11],
      ['rft/last-message-not-user', 11],
    ],
  );
});

test('a BOM typed into the editor counts for Azure and shifts line-0 columns in the editor only', () => {
  const text = '\ufeff{"messages":[{"role":"system","content":"s"},{"role":"user","content":"q"}],"t":1}\n';
  const editor = new DatasetDocumentModel({ provider: 'azure', bomInTextShifts: true });
  editor.setText(text);
  const d = editor.report().diagnostics.filter((x) => x.code === 'rft/system-role')[0];
  assert.equal(text.slice(d.range.start.character, d.range.end.character), '"system"');
  assert.equal(editor.report().hasBom, true);
  assert.ok(!editor.report().diagnostics.some((x) => x.code === 'azure/missing-bom'));
  const plain = validateDatasetText(text);
  const p = plain.diagnostics.filter((x) => x.code === 'rft/system-role')[0];
  assert.equal(p.range.start.character, d.range.start.character - 1);
});

test('a change outside the document is refused, not applied half-way', () => {
  const model = new DatasetDocumentModel();
  model.setText('{"a":1}\n');
  assert.throws(
    () => model.applyChange({ startLine: 5, startCharacter: 0, endLine: 5, endCharacter: 0, text: 'x' }),
    RangeError,
  );
  assert.equal(model.lineCount, 2);
});
