// The JSON helpers that stand between hostile text and recursive code: the nesting scan, canonical JSON and the
// duplicate-key scan.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  canonicalJson,
  iterativeCanonicalJson,
  jsonText,
  RECURSIVE_CANONICAL_DEPTH,
} from '../../../../src/core/json/canonicalJson';
import { findExcessiveNesting, MAX_JSON_DEPTH } from '../../../../src/core/json/depth';
import { findDuplicateKeys } from '../../../../src/core/json/duplicateKeys';

/** The recursive definition the iterative one replaces. */
function recursiveCanonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(recursiveCanonical).join(',')}]`;
  if (v !== null && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${recursiveCanonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

test('canonicalJson equals the recursive definition on random JSON, and survives a million levels', () => {
  fc.assert(
    fc.property(fc.jsonValue(), (v) => {
      assert.equal(canonicalJson(v), recursiveCanonical(v));
    }),
    { numRuns: 500 },
  );
  assert.equal(canonicalJson({ b: 1, a: [true, null, 'x'] }), '{"a":[true,null,"x"],"b":1}');
  const deep = JSON.parse(`${'['.repeat(1e6)}${']'.repeat(1e6)}`) as unknown;
  assert.equal(canonicalJson(deep).length, 2e6);
});

test('canonicalJson: the recursive writer and the iterative one agree around the depth where one hands over', () => {
  for (const depth of [
    RECURSIVE_CANONICAL_DEPTH - 2,
    RECURSIVE_CANONICAL_DEPTH - 1,
    RECURSIVE_CANONICAL_DEPTH,
    RECURSIVE_CANONICAL_DEPTH + 1,
    3 * RECURSIVE_CANONICAL_DEPTH,
  ]) {
    // Objects with unsorted keys, arrays, strings that need escaping, and a shallow sibling after the deep branch.
    let v: unknown = { z: 'é"\\\n\u2028', a: [1.5, -0, null, true] };
    for (let i = 0; i < depth; i++) v = i % 2 ? [v, 'x'] : { b: v, a: i, '10': 1, '9': 2 };
    const wide = { deep: v, shallow: { y: 1, x: [2] } };
    assert.equal(canonicalJson(wide), iterativeCanonicalJson(wide), `depth ${depth}`);
    assert.equal(canonicalJson(wide), recursiveCanonical(wide));
  }
  fc.assert(
    fc.property(fc.jsonValue({ depthSize: 'large' }), (v) => canonicalJson(v) === iterativeCanonicalJson(v)),
    { numRuns: 300 },
  );
  // Values a parser does not make still follow the iterative writer: undefined, holes, a Date.
  const holes: unknown[] = new Array(3);
  holes[0] = 1;
  holes[2] = 3;
  const odd = { u: undefined, h: holes, d: new Date(0), f: () => 1 };
  assert.equal(canonicalJson(odd), iterativeCanonicalJson(odd));
});

test('jsonText is JSON.stringify (key order kept), and still answers where V8 stringify overflows', () => {
  fc.assert(
    fc.property(fc.jsonValue(), (v) => {
      assert.equal(jsonText(v), JSON.stringify(v));
    }),
    { numRuns: 300 },
  );
  const text = `{"b":${'[{"z":1,"a":'.repeat(100_000)}2${'}]'.repeat(100_000)}}`;
  const deep = JSON.parse(text) as unknown;
  assert.throws(() => JSON.stringify(deep), RangeError);
  assert.equal(jsonText(deep), text);
});

test('findExcessiveNesting: the offset of the first bracket past the limit; strings and comments do not count', () => {
  assert.equal(findExcessiveNesting('[[[]]]', 3), undefined);
  assert.equal(findExcessiveNesting('[[[[]]]]', 3), 3);
  assert.equal(findExcessiveNesting('{"a":{"b":[{}]}}', 3), 11);
  assert.equal(findExcessiveNesting(`["${'['.repeat(5000)}"]`), undefined);
  assert.equal(
    findExcessiveNesting(`["\\"${'['.repeat(5000)}"]`),
    undefined,
    'an escaped quote does not end the string',
  );
  assert.equal(findExcessiveNesting(`// ${'['.repeat(5000)}\n[] /* ${'{'.repeat(5000)} */`), undefined);
  const text = `{"x": ${'['.repeat(100_000)}`;
  assert.equal(findExcessiveNesting(text), 6 + MAX_JSON_DEPTH - 1);
  // Sequential (not nested) containers never add up.
  assert.equal(findExcessiveNesting(`[${'[],'.repeat(100_000)}[]]`), undefined);
});

test('findDuplicateKeys: repeated keys per object with the later key quoted range; none in JSON.stringify output', () => {
  const text = '{"a":1,"b":{"a":2,"c":"{\\"a\\":"},"a":3,"d":[{"e":1,"e":2}],"\\u0062":4}';
  assert.deepEqual(
    findDuplicateKeys(text).map((d) => [d.key, text.slice(d.start, d.end)]),
    [
      ['a', '"a"'],
      ['e', '"e"'],
      ['b', '"\\u0062"'],
    ],
  );
  assert.equal(findDuplicateKeys(text, 1).length, 1);
  fc.assert(
    fc.property(fc.jsonValue(), (v) => {
      assert.deepEqual(findDuplicateKeys(JSON.stringify(v)), []);
    }),
    { numRuns: 500 },
  );
  assert.deepEqual(findDuplicateKeys(`${'{"k":'.repeat(100_000)}1${'}'.repeat(100_000)}`), []);
});
