import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { parseJsonPath } from '../../../../src/core/prep/jsonPath';
import { mapCodesInFile, mapLine } from '../../../../src/core/prep/mapCodes';
import { parseCsvMapping, parseJsonMapping } from '../../../../src/core/prep/mapping';
import { tempDir } from '../../../lib/tempFiles';

const mapping = parseCsvMapping(
  'code,name\n56,"agriculture, forestry and fisheries"\n10,EUROPEAN UNION\n20,trade\n4,politics\n',
);

test('mapLine replaces array elements in place and keeps every other byte', () => {
  const text = '{"id": 1,  "reference_answer" : [ "10",\t"56" ],"x":"10"}';
  const r = mapLine(text, parseJsonPath('reference_answer'), mapping);
  assert.equal(
    r.text,
    '{"id": 1,  "reference_answer" : [ "EUROPEAN UNION",\t"agriculture, forestry and fisheries" ],"x":"10"}',
  );
  assert.deepEqual(
    r.mapped.map((m) => m.code),
    ['10', '56'],
  );
  assert.deepEqual(r.unknown, []);
});

test('mapLine maps a single string, a number, nested paths and indices', () => {
  assert.equal(mapLine('{"a":{"b":"20"}}', ['a', 'b'], mapping).text, '{"a":{"b":"trade"}}');
  assert.equal(mapLine('{"c":4}', ['c'], mapping).text, '{"c":"politics"}');
  assert.equal(
    mapLine('{"m":{"codes":["10","20"]}}', parseJsonPath('m.codes[1]'), mapping).text,
    '{"m":{"codes":["10","trade"]}}',
  );
});

test('unknown codes are reported and left unchanged; names already mapped are recognised', () => {
  const r = mapLine('{"l":["10","99","trade"]}', ['l'], mapping);
  assert.equal(r.text, '{"l":["EUROPEAN UNION","99","trade"]}');
  assert.deepEqual(r.unknown, ['99']);
  assert.deepEqual(r.alreadyNames, ['trade']);
});

test('problems: invalid JSON, missing field, values that are not codes', () => {
  assert.equal(mapLine('{"l":', ['l'], mapping).problem?.kind, 'invalid-json');
  assert.equal(mapLine('{"x":1}', ['l'], mapping).problem?.kind, 'missing-field');
  const r = mapLine('{"l":["10",{"a":1},null]}', ['l'], mapping);
  assert.equal(r.problem?.kind, 'not-a-code');
  assert.equal(r.text, '{"l":["EUROPEAN UNION",{"a":1},null]}', 'the codes that are codes are still mapped');
  assert.equal(mapLine('{"l":{"a":"10"}}', ['l'], mapping).problem?.kind, 'not-a-code');
});

test('escaped codes and names with quotes, backslashes and non-ASCII text round-trip through JSON', () => {
  const m = parseJsonMapping(JSON.stringify({ 'a"b': 'na\\me "é"', é: 'x' }));
  const r = mapLine('{"l":["a\\"b","\\u00e9"]}', ['l'], m);
  assert.deepEqual(JSON.parse(r.text), { l: ['na\\me "é"', 'x'] });
});

test('property: only the mapped field changes, and it holds exactly the mapped values', () => {
  const codes = ['10', '20', '56', '4', '99'];
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom(...codes), { maxLength: 6 }),
      fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
      fc.constantFrom(0, 2, '\t'),
      (labels, extra, indent) => {
        const obj = { ...extra, labels };
        const text = JSON.stringify(obj, null, indent).replace(/\n/g, ' ');
        const r = mapLine(text, ['labels'], mapping);
        const out = JSON.parse(r.text);
        assert.deepEqual(
          out.labels,
          labels.map((c) => mapping.names.get(c) ?? c),
        );
        assert.deepEqual({ ...out, labels: obj.labels }, JSON.parse(text));
        assert.deepEqual(
          r.unknown,
          labels.filter((c) => c === '99'),
        );
      },
    ),
  );
});

test('mapCodesInFile: BOM, CRLF, blank lines and a missing final newline are preserved; unknown codes listed by line', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'in.jsonl');
  const out = path.join(dir, 'out.jsonl');
  const input = '\uFEFF{"l":["10"]}\r\n\r\n{"l":["99","20"]}\n{"x":1}\n{"l":"99"}';
  writeFileSync(file, input);
  const report = await mapCodesInFile(file, ['l'], mapping, out);
  assert.equal(
    readFileSync(out, 'utf8'),
    '\uFEFF{"l":["EUROPEAN UNION"]}\r\n\r\n{"l":["99","trade"]}\n{"x":1}\n{"l":"99"}',
  );
  assert.equal(readFileSync(file, 'utf8'), input, 'the input is untouched');
  assert.deepEqual(report.unknown, [{ code: '99', count: 2, lines: [3, 5] }]);
  assert.deepEqual(report.problems, [{ line: 4, kind: 'missing-field', message: "no field 'l'" }]);
  assert.equal(report.lines, 4);
  assert.equal(report.changedLines, 2);
  assert.equal(report.written, true);
  assert.deepEqual(readdirSync(dir).sort(), ['in.jsonl', 'out.jsonl'], 'no temporary file left behind');
});

test('mapCodesInFile with write:false only reports; an aborted run leaves no output and no temp file', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'in.jsonl');
  writeFileSync(file, '{"l":"10"}\n'.repeat(1000));
  const dry = await mapCodesInFile(file, ['l'], mapping, path.join(dir, 'dry.jsonl'), { write: false });
  assert.equal(dry.written, false);
  assert.equal(dry.codes[0].count, 1000);
  assert.equal(existsSync(path.join(dir, 'dry.jsonl')), false);
  const ac = new AbortController();
  ac.abort(new Error('cancelled'));
  await assert.rejects(
    mapCodesInFile(file, ['l'], mapping, path.join(dir, 'out.jsonl'), { signal: ac.signal }),
    /cancelled/,
  );
  assert.deepEqual(readdirSync(dir), ['in.jsonl']);
});
