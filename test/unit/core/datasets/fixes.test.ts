// Quick fixes: each edit, applied to the text, makes its diagnostic go away and breaks nothing else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Diagnostic } from '../../../../src/core/diagnostics';
import type { LineSource, TextEdit } from '../../../../src/core/datasets/fixes';
import { fixAllFor, fixesFor, sftLineToRft } from '../../../../src/core/datasets/fixes';
import type { DatasetValidationOptions } from '../../../../src/core/datasets/validate';
import { validateDatasetText } from '../../../../src/core/datasets/validate';
import { DatasetDocumentModel } from '../../../../src/core/datasets/documentModel';

function source(text: string): LineSource & { lines: string[] } {
  const lines = text.split('\n');
  return { lines, lineAt: (i) => lines[i], lineCount: lines.length };
}

/** Applies non-overlapping edits (any order) to text. */
function apply(text: string, edits: TextEdit[]): string {
  const lines = text.split('\n');
  const off = (p: { line: number; character: number }) =>
    lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  const sorted = [...edits].sort((a, b) => off(b.range.start) - off(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, off(e.range.start)) + e.newText + out.slice(off(e.range.end));
  return out;
}

function fixOnce(
  text: string,
  code: string,
  opts: DatasetValidationOptions = {},
): { after: string; title: string; before: Diagnostic[] } {
  const model = new DatasetDocumentModel({ ...opts, bomInTextShifts: true });
  model.setText(text);
  const before = model.report().diagnostics;
  const d = before.find((x) => x.code === code);
  assert.ok(d, `no ${code} in ${JSON.stringify(before.map((x) => x.code))}`);
  const [fix] = fixesFor(source(text), d);
  assert.ok(fix, `no fix for ${code}`);
  return { after: apply(text, fix.edits), title: fix.title, before };
}

const ex = (i: number, extra = '') =>
  `{"messages":[{"role":"user","content":"q${i}"}],"target":${i}${extra}}`;
const ten = Array.from({ length: 10 }, (_, i) => ex(i + 1)).join('\n');

test('system → developer', () => {
  const text = `{"messages":[{"role":"system","content":"s"},{"role":"user","content":"q"}],"target":0}\n${ten}\n`;
  const { after, title } = fixOnce(text, 'rft/system-role');
  assert.match(title, /developer/);
  assert.equal(after, text.replace('"system"', '"developer"'));
  assert.deepEqual(validateDatasetText(after).diagnostics, []);
});

test('SFT-style example → RFT: the answer moves into reference_answer; other fields stay', () => {
  const line = '{"messages":[{"role":"user","content":"2+2?"},{"role":"assistant","content":"4"}],"id":"a1"}';
  assert.equal(
    sftLineToRft(line),
    '{"messages":[{"role":"user","content":"2+2?"}],"id":"a1","reference_answer":"4"}',
  );
  assert.equal(sftLineToRft(line, 'id'), undefined, 'never overwrites an existing field');
  assert.equal(
    sftLineToRft('{"messages":[{"role":"assistant","content":"x"}]}'),
    undefined,
    'nothing left to ask',
  );
  const rows = [
    line,
    ...Array.from(
      { length: 10 },
      (_, i) => `{"messages":[{"role":"user","content":"q${i}"}],"id":"b${i}","reference_answer":"${i}"}`,
    ),
  ].join('\n');
  const { after } = fixOnce(rows, 'rft/last-message-not-user');
  assert.deepEqual(validateDatasetText(after).diagnostics, []);
});

test('add the BOM Azure wants, without moving anything else', () => {
  const { after } = fixOnce(ten, 'azure/missing-bom', { provider: 'azure' });
  assert.equal(after, `\ufeff${ten}`);
  const m = new DatasetDocumentModel({ provider: 'azure', bomInTextShifts: true });
  m.setText(after);
  assert.deepEqual(m.report().diagnostics, []);
});

test('a fix on line 0 keeps a BOM typed into the text', () => {
  const text = `\ufeff{"messages":[{"role":"user","content":"q"},{"role":"assistant","content":"a"}],"target":0}\n${ten}`;
  const { after } = fixOnce(text, 'rft/last-message-not-user');
  assert.ok(after.startsWith('\ufeff{"messages":[{"role":"user","content":"q"}]'));
});

test('blank lines and duplicates are deleted as whole lines, fix-all included', () => {
  const text = `${ex(100)}\n\n${ex(101)}\n\n${ten}\n${ex(101)}`;
  const m = new DatasetDocumentModel();
  m.setText(text);
  const diags = m.report().diagnostics;
  const all = fixAllFor(source(text), diags, 'jsonl/blank-line');
  assert.equal(all.length, 2);
  const noBlanks = apply(text, all);
  assert.equal(noBlanks, `${ex(100)}\n${ex(101)}\n${ten}\n${ex(101)}`);
  const dupFixed = fixOnce(noBlanks, 'dataset/duplicate-example').after;
  assert.equal(
    dupFixed,
    `${ex(100)}\n${ex(101)}\n${ten}`,
    'the last line goes with the line break before it',
  );
  assert.deepEqual(validateDatasetText(dupFixed).diagnostics, []);
});

test('DPO *_completion → *_output, SFT unknown key removal', () => {
  const dpo = (i: number, k = 'preferred_output') =>
    `{"input":{"messages":[{"role":"user","content":"q${i}"}]},"${k}":[{"role":"assistant","content":"a"}],"non_preferred_output":[{"role":"assistant","content":"b"}]}`;
  const text = [dpo(0, 'preferred_completion'), ...Array.from({ length: 10 }, (_, i) => dpo(i + 1))].join(
    '\n',
  );
  const { after } = fixOnce(text, 'dpo/completion-field-names');
  assert.deepEqual(validateDatasetText(after).diagnostics, []);
  const sft = (i: number, extra = '') =>
    `{"messages":[{"role":"system","content":"s"},{"role":"user","content":"q${i}"},{"role":"assistant","content":"a"}]${extra}}`;
  const t2 = [sft(0, ',"note":"x"'), ...Array.from({ length: 10 }, (_, i) => sft(i + 1))].join('\n');
  const r2 = fixOnce(t2, 'sft/unknown-key');
  assert.equal(r2.after.split('\n')[0], sft(0));
  assert.deepEqual(validateDatasetText(r2.after).diagnostics, []);
});

test('field type: "10" → 10 when the others are numbers; no fix when the value cannot convert', () => {
  const text = `${ten}\n${ex(11).replace('"target":11', '"target":"11"')}\n${ex(12).replace('"target":12', '"target":"twelve"')}`;
  const m = new DatasetDocumentModel();
  m.setText(text);
  const diags = m.report().diagnostics.filter((d) => d.code === 'dataset/field-type');
  assert.equal(diags.length, 2);
  const [f1] = fixesFor(source(text), diags[0]);
  assert.equal(f1.title, 'Convert to number: 11');
  assert.deepEqual(fixesFor(source(text), diags[1]), []);
});

test('a stale diagnostic (the text changed under it) offers nothing', () => {
  const text = `{"messages":[{"role":"system","content":"s"},{"role":"user","content":"q"}],"target":0}`;
  const m = new DatasetDocumentModel();
  m.setText(text);
  const d = m.report().diagnostics.find((x) => x.code === 'rft/system-role')!;
  assert.deepEqual(fixesFor(source(text.replace('"system"', '"sys"   ')), d), []);
});
