import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseCsvMapping } from '../../../../src/core/prep/mapping';
import { mapCodesInFile } from '../../../../src/core/prep/mapCodes';
import {
  mapReportText,
  sampleReportText,
  splitReportMarkdown,
  splitReportText,
  textTable,
} from '../../../../src/core/prep/report';
import { sampleFile, splitFile } from '../../../../src/core/prep/runPrep';
import { tempDir } from '../../../lib/tempFiles';

test('textTable aligns text columns left and numbers right', () => {
  assert.deepEqual(
    textTable(
      ['label', 'n'],
      [
        ['a', '1'],
        ['long label', '1,000'],
      ],
    ),
    ['label           n', 'a               1', 'long label  1,000'],
  );
});

async function fixture() {
  const dir = tempDir();
  const file = path.join(dir, 'd.jsonl');
  const rows = Array.from({ length: 30 }, (_, i) =>
    JSON.stringify({ id: i, l: i < 3 ? ['rare', 'x'] : ['x'] }),
  );
  writeFileSync(file, rows.join('\n'));
  return { dir, file };
}

test('split text and Markdown reports: side-by-side counts, shares, coverage, relative paths', async () => {
  const { dir, file } = await fixture();
  const r = await splitFile(
    file,
    ['l'],
    { validCount: 10 },
    path.join(dir, 't.jsonl'),
    path.join(dir, 'v.jsonl'),
    { write: false },
  );
  const text = splitReportText(r, dir);
  assert.match(
    text,
    /^Stratified split of d\.jsonl on l \(seed 42\): 30 examples → 20 training \+ 10 validation/,
  );
  assert.match(text, /\nx\s+30\s+20\s+10\s+100\.0\s+100\.0\n/);
  assert.match(text, /\nrare\s+3\s+2\s+1\s+10\.0\s+10\.0\n/);
  assert.match(text, /every label with ≥2 examples is in both files \(2\/2\)/);
  assert.match(text, /Nothing written \(would write t\.jsonl and v\.jsonl\)/);
  const md = splitReportMarkdown(r, dir);
  assert.match(md, /\| rare \| 3 \| 2 \| 1 \| 10\.0 \| 10\.0 \| ✓ \|/);
});

test('sample and map text reports', async () => {
  const { dir, file } = await fixture();
  const s = await sampleFile(file, ['l'], 4, path.join(dir, 's.jsonl'), { seed: '1' });
  const st = sampleReportText(s, dir);
  assert.match(st, /4 of 30 examples/);
  assert.match(st, /\nrare\s+3\s+10\.0\s+3\s+75\.0\n/);
  assert.match(st, /Wrote s\.jsonl \(4 examples\)/);
  const m = await mapCodesInFile(file, ['l'], parseCsvMapping('x,Ex\n'), path.join(dir, 'm.jsonl'));
  const mt = mapReportText(m, dir);
  assert.match(mt, /\nx\s+Ex\s+30\n/);
  assert.match(mt, /"rare" ×3 on line\(s\) 1, 2, 3/);
});
