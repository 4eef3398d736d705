import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CsvError, parseCsv } from '../../../../src/core/prep/csv';
import {
  MappingError,
  parseCsvMapping,
  parseJsonMapping,
  parseMapping,
} from '../../../../src/core/prep/mapping';

test('CSV: quoted commas, doubled quotes, line breaks in quotes, CRLF, BOM, no final newline', () => {
  const text =
    '\uFEFFcode,name\r\n56,"agriculture, forestry and fisheries"\r\n7,"say ""hi"""\n8,"two\nlines"\n9,';
  assert.deepEqual(parseCsv(text), [
    { line: 1, fields: ['code', 'name'] },
    { line: 2, fields: ['56', 'agriculture, forestry and fisheries'] },
    { line: 3, fields: ['7', 'say "hi"'] },
    { line: 4, fields: ['8', 'two\nlines'] },
    { line: 6, fields: ['9', ''] },
  ]);
});

test('CSV: empty lines are skipped, empty quoted fields are fields', () => {
  assert.deepEqual(parseCsv('a,b\n\n"",c\n'), [
    { line: 1, fields: ['a', 'b'] },
    { line: 3, fields: ['', 'c'] },
  ]);
});

test('CSV: malformed quoting is an error with its line', () => {
  assert.throws(
    () => parseCsv('a,b\nc,"open\n'),
    (e: CsvError) => e instanceof CsvError && e.line === 2,
  );
  assert.throws(() => parseCsv('a,"b"x\n'), /after a closing quote/);
  assert.throws(() => parseCsv('a,b"c\n'), /quote inside an unquoted field/);
});

test('CSV round-trip: any table written with RFC 4180 quoting parses back to the same fields', () => {
  const cell = fc.string({ unit: fc.constantFrom('a', 'b', ',', '"', '\n', '\r\n', ' ', 'é', '\t') });
  fc.assert(
    fc.property(
      fc.array(fc.array(cell, { minLength: 2, maxLength: 4 }), { minLength: 1, maxLength: 6 }),
      fc.boolean(),
      (rows, crlf) => {
        const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
        const text = rows.map((r) => r.map(quote).join(',')).join(crlf ? '\r\n' : '\n');
        assert.deepEqual(
          parseCsv(text).map((r) => r.fields),
          rows,
        );
      },
    ),
  );
});

test('CSV mapping: header row is optional, names with commas need quotes', () => {
  const withHeader = parseCsvMapping(
    'code,name\n56,"agriculture, forestry and fisheries"\n10,EUROPEAN UNION\n',
    'm.csv',
  );
  assert.equal(withHeader.names.get('56'), 'agriculture, forestry and fisheries');
  assert.equal(withHeader.names.size, 2);
  const noHeader = parseCsvMapping('56,agri\n10,EU\n', 'm.csv');
  assert.equal(noHeader.names.size, 2);
  assert.throws(
    () => parseCsvMapping('56,agriculture, forestry and fisheries\n', 'm.csv'),
    /m\.csv: line 1: expected 2 fields \(code,name\), found 3 — quote a name/,
  );
});

test('mapping errors: conflicting duplicates, empty mapping, wrong JSON shapes, invalid JSON with line', () => {
  assert.throws(
    () => parseCsvMapping('1,a\n1,b\n', 'm.csv'),
    /line 2: code '1' is mapped twice, to 'a' and to 'b'/,
  );
  assert.equal(parseCsvMapping('1,a\n1,a\n', 'm.csv').names.size, 1, 'a repeated identical row is fine');
  assert.throws(() => parseCsvMapping('code,name\n', 'm.csv'), /the mapping is empty/);
  assert.throws(() => parseJsonMapping('{"1": 2}', 'm.json'), /value of '1' is a number/);
  assert.throws(() => parseJsonMapping('[{"code": "1"}]', 'm.json'), /entry 0/);
  assert.throws(() => parseJsonMapping('"x"', 'm.json'), MappingError);
  assert.throws(() => parseJsonMapping('{\n"a": "b",\n}', 'm.json'), /m\.json: line 3: invalid JSON/);
});

test('JSON mapping: object or array of {code, name}; numeric codes become strings', () => {
  assert.equal(parseJsonMapping('\uFEFF{"04": "politics"}').names.get('04'), 'politics');
  const arr = parseJsonMapping(
    '[{"code": 4, "name": "politics"}, {"code": "08", "name": "international relations"}]',
  );
  assert.deepEqual(
    [...arr.names],
    [
      ['4', 'politics'],
      ['08', 'international relations'],
    ],
  );
  assert.ok(arr.nameSet.has('politics'));
});

test('parseMapping chooses by extension, then by content', () => {
  assert.equal(parseMapping('{"a": "b"}', 'x.json').names.get('a'), 'b');
  assert.equal(parseMapping('a,b\n', 'x.csv').names.get('a'), 'b');
  assert.equal(parseMapping('  {"a": "b"}', 'x.txt').names.get('a'), 'b');
  assert.equal(parseMapping('a,b\n', 'x.txt').names.get('a'), 'b');
});
