import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { discoverFields } from '../../../../src/core/prep/fields';
import { tempDir } from '../../../lib/tempFiles';

test('label lists rank first; ids and message contents are not offered as labels', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'd.jsonl');
  const rows = Array.from({ length: 40 }, (_, i) =>
    JSON.stringify({
      id: `doc-${i}`,
      messages: [{ role: 'user', content: `text ${i}` }],
      item: { labels: i % 2 ? ['a', 'b'] : ['c'], lang: 'en' },
      reference_answer: i % 3 ? 'yes' : 'no',
    }),
  );
  writeFileSync(file, `${rows.join('\n')}\nnot json\n\n`);
  const { fields, linesRead } = await discoverFields(file);
  assert.equal(linesRead, 41);
  assert.deepEqual(
    fields.map((f) => f.path),
    ['item.labels', 'reference_answer', 'item.lang', 'id'],
  );
  assert.equal(fields[0].kind, 'list');
  assert.equal(fields[0].distinct, 3);
  assert.equal(fields[0].present, 40);
  assert.ok(!fields.some((f) => f.path.startsWith('messages')));
});

test('reads at most maxLines lines', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'd.jsonl');
  writeFileSync(
    file,
    `${Array.from({ length: 50 }, (_, i) => JSON.stringify({ l: String(i % 4) })).join('\n')}\n`,
  );
  const { fields, linesRead } = await discoverFields(file, { maxLines: 10 });
  assert.equal(linesRead, 10);
  assert.equal(fields[0].present, 10);
});
