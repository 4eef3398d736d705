import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  formatJsonPath,
  getAtPath,
  locateValue,
  JsonPathError,
  parseJsonPath,
} from '../../../../src/core/prep/jsonPath';

test('parses dotted keys, [n] indices, negative indices and quoted keys', () => {
  assert.deepEqual(parseJsonPath('reference_answer'), ['reference_answer']);
  assert.deepEqual(parseJsonPath('item.labels'), ['item', 'labels']);
  assert.deepEqual(parseJsonPath('meta.codes[0]'), ['meta', 'codes', 0]);
  assert.deepEqual(parseJsonPath('a[-1].b'), ['a', -1, 'b']);
  assert.deepEqual(parseJsonPath('["a.b"][2]["x]y"]'), ['a.b', 2, 'x]y']);
  assert.deepEqual(parseJsonPath('  labels  '), ['labels']);
});

test('rejects malformed paths with the position', () => {
  for (const bad of ['', 'a..b', 'a.', '.a', 'a[', 'a[x]', 'a[1', 'a]b', '["unterminated]', 'a[1]b']) {
    assert.throws(() => parseJsonPath(bad), JsonPathError, bad);
  }
  assert.throws(() => parseJsonPath('a..b'), /character 3/);
});

test('formats paths back to their canonical text', () => {
  for (const p of ['reference_answer', 'item.labels', 'meta.codes[0]', 'a[-1].b', '["a.b"][2]']) {
    assert.equal(formatJsonPath(parseJsonPath(p)), p);
  }
});

test('getAtPath follows keys and indices and returns undefined for any missing step', () => {
  const v = { item: { labels: ['x', 'y'] }, n: null };
  assert.deepEqual(getAtPath(v, ['item', 'labels']), ['x', 'y']);
  assert.equal(getAtPath(v, ['item', 'labels', 1]), 'y');
  assert.equal(getAtPath(v, ['item', 'labels', -1]), 'y');
  assert.equal(getAtPath(v, ['item', 'labels', 2]), undefined);
  assert.equal(getAtPath(v, ['n', 'x']), undefined);
  assert.equal(getAtPath(v, ['item', 0]), undefined);
  assert.equal(getAtPath(v, ['toString']), undefined, 'inherited properties are not fields');
});

test('locateValue finds the span of the value, picking the last of repeated keys like JSON.parse', () => {
  const text = '{"a": "first", "a" : {"b": [1, "two" ,{"c":"]"}]}, "k\\"q": 3}';
  const at = locateValue(text, ['a', 'b', 1])!;
  assert.equal(text.slice(at.start, at.end), '"two"');
  assert.equal(getAtPath(JSON.parse(text), ['a', 'b', 1]), 'two');
  const arr = locateValue(text, ['a', 'b'])!;
  assert.deepEqual(
    arr.elements!.map((e) => text.slice(e.start, e.end)),
    ['1', '"two"', '{"c":"]"}'],
  );
  const q = locateValue(text, ['k"q'])!;
  assert.equal(text.slice(q.start, q.end), '3');
  assert.equal(locateValue(text, ['a', 'x']), undefined);
  assert.equal(locateValue(text, ['a', 'b', 3]), undefined);
  assert.equal(
    text.slice(locateValue(text, ['a', 'b', -1])!.start, locateValue(text, ['a', 'b', -1])!.end),
    '{"c":"]"}',
  );
});

test('property: for any JSON object and any path into it, the located span parses to the value at that path', () => {
  const paths = (v: unknown, prefix: (string | number)[] = []): (string | number)[][] => {
    const out: (string | number)[][] = [prefix];
    if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...prefix, i])));
    else if (v && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...prefix, k]));
    return out;
  };
  fc.assert(
    fc.property(
      fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })),
      fc.constantFrom(0, 1, '\t'),
      (generated, indent) => {
        // Compare with what the JSON text holds: -0 is written as 0, so round-trip the generated object first.
        const obj = JSON.parse(JSON.stringify(generated)) as Record<string, unknown>;
        const text = JSON.stringify(obj, null, indent);
        for (const p of paths(obj).slice(1)) {
          const at = locateValue(text, p);
          assert.ok(at, JSON.stringify(p));
          assert.deepEqual(JSON.parse(text.slice(at.start, at.end)), getAtPath(obj, p));
        }
      },
    ),
  );
});
