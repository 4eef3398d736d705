import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildProbes, collectLabels, fillSchema, schemaOf } from '../../../../src/core/lab/probes';
import { toCsv, toJsonl } from '../../../../src/core/lab/export';
import type { ExportRow } from '../../../../src/core/lab/export';

const root = join(__dirname, '../../../..');
const labels21 = JSON.parse(
  readFileSync(
    join(root, 'test/fixtures/real/openai-build-hours/derived/eurovoc_level1_labels.json'),
    'utf8',
  ),
) as string[];
const demoItems = readFileSync(join(root, 'demo/lab/eurovoc_demo.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as Record<string, unknown>);
const responseFormat = JSON.parse(readFileSync(join(root, 'demo/lab/eurovoc.response_format.json'), 'utf8'));

test('collectLabels finds the reference-answer vocabulary of the EuroVoc demo (a subset of the 21 labels)', () => {
  const labels = collectLabels(demoItems, responseFormat);
  assert.ok(labels.length >= 15, `found ${labels.length}`);
  for (const l of labels) assert.ok(labels21.includes(l), `${l} is not a EuroVoc level-1 label`);
  assert.ok(!labels.some((l) => l.startsWith('eu-')), 'ids are not labels');
});

test('the all-labels probe fills the Build Hour response shape with every label', () => {
  const probes = buildProbes(demoItems[0], { labels: labels21, responseFormat });
  const all = probes.find((p) => p.id === 'all-labels')!;
  const parsed = JSON.parse(all.outputText) as { level1: { code: string }[] };
  assert.deepEqual(
    parsed.level1.map((x) => x.code),
    labels21,
  );
  assert.deepEqual(
    probes.map((p) => p.id),
    ['empty', 'echo', 'all-labels', 'schema-junk', 'long'],
  );
  const junk = JSON.parse(probes.find((p) => p.id === 'schema-junk')!.outputText);
  assert.deepEqual(junk, { level1: [{ code: 'lorem ipsum dolor sit amet' }] });
  const echo = JSON.parse(probes.find((p) => p.id === 'echo')!.outputText) as { level1: { code: string }[] };
  assert.match(echo.level1[0].code, /Baltic Sea/);
  assert.ok(probes.find((p) => p.id === 'long')!.outputText.length >= 200_000);
});

test('without a response format probes are plain text', () => {
  const item = {
    messages: [{ role: 'user', content: [{ type: 'text', text: 'Is it spam?' }] }],
    label: 'spam',
  };
  const probes = buildProbes(item, { labels: ['ham', 'spam'] });
  assert.equal(probes.find((p) => p.id === 'echo')!.outputText, 'Is it spam?');
  assert.equal(probes.find((p) => p.id === 'all-labels')!.outputText, 'ham, spam');
  assert.equal(probes.find((p) => p.id === 'empty')!.outputText, '');
});

test('fillSchema handles enums, nullable types, nested arrays and bare schemas', () => {
  assert.deepEqual(
    fillSchema(
      {
        type: 'object',
        properties: {
          a: { type: ['string', 'null'] },
          b: { enum: ['x', 'y'] },
          c: { type: 'integer' },
          d: { type: 'array', items: { type: 'string' } },
        },
      },
      ['s1', 's2'],
    ),
    { a: 's1', b: 'x', c: 0, d: ['s1', 's2'] },
  );
  assert.equal(schemaOf({ type: 'text' }), undefined);
  assert.ok(schemaOf({ type: 'object', properties: {} }));
});

test('CSV export quotes commas, quotes and newlines; JSONL round-trips', () => {
  const rows: ExportRow[] = [
    {
      grader: 'f1',
      line: 1,
      itemKey: 'eu-001',
      sample: 'a, "b"\nc',
      reward: 0.5,
      subRewards: { precision: 1, recall: 1 / 3 },
      errors: [],
    },
    {
      grader: 'f1',
      line: 2,
      itemKey: 'eu-002',
      sample: 'x',
      reward: 0,
      subRewards: {},
      errors: ['python_grader_runtime_error'],
      traceback: 'Traceback ...',
    },
  ];
  const csv = toCsv(rows);
  assert.equal(
    csv.split('\r\n')[0],
    'grader,line,item,reward,sub_precision,sub_recall,errors,sample,traceback',
  );
  assert.ok(csv.includes('"a, ""b""\nc"'));
  assert.deepEqual(
    toJsonl(rows)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l)),
    rows,
  );
});
