// The value key against the definition it stands for: equal canonical JSON text ⇔ equal key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { canonicalJson } from '../../../../src/core/json/canonicalJson';
import { jsonValueKey } from '../../../../src/core/json/jsonValueKey';

/** The same value with every object's keys in another (seeded) order. */
function shuffled(v: unknown, seed: number): unknown {
  if (Array.isArray(v)) return v.map((e, i) => shuffled(e, seed + i));
  if (v === null || typeof v !== 'object') return v;
  const keys = Object.keys(v);
  let s = seed;
  for (let i = keys.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    [keys[i], keys[j]] = [keys[j]!, keys[i]!];
  }
  return Object.fromEntries(keys.map((k) => [k, shuffled((v as Record<string, unknown>)[k], s)]));
}

test('property: a value and its keys in any order have one key; parsing its text again changes nothing', () => {
  fc.assert(
    fc.property(fc.jsonValue(), fc.integer(), (v, seed) => {
      const key = jsonValueKey(v);
      assert.match(key, /^[0-9a-f]{16}$/);
      assert.equal(jsonValueKey(shuffled(v, seed)), key);
      assert.equal(jsonValueKey(JSON.parse(JSON.stringify(v, null, 2))), key);
    }),
    { numRuns: 2000 },
  );
});

test('property: two values have equal keys exactly when their canonical JSON is equal', () => {
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 3 }), fc.jsonValue({ maxDepth: 3 }), (a, b) => {
      assert.equal(jsonValueKey(a) === jsonValueKey(b), canonicalJson(a) === canonicalJson(b));
    }),
    { numRuns: 5000 },
  );
});

test('values that differ only where a careless hash would confuse them get different keys', () => {
  const distinct: unknown[] = [
    1,
    '1',
    true,
    'true',
    null,
    'null',
    [],
    {},
    [[]],
    [{}],
    '',
    [''],
    { a: 1 },
    { a: '1' },
    { a: [1] },
    { a: { a: 1 } },
    { a: 1, b: 2 },
    { a: 2, b: 1 },
    { a: 1, b: 1 },
    { ab: 1 },
    { a: 1, c: 1 },
    [1, 2],
    [2, 1],
    [1, [2]],
    [[1], 2],
    ['a', 'b'],
    ['ab'],
    { '': '' },
    0.1,
    0.30000000000000004,
  ];
  const keys = distinct.map(jsonValueKey);
  assert.equal(new Set(keys).size, distinct.length, JSON.stringify(distinct));
  assert.equal(jsonValueKey(-0), jsonValueKey(0), 'JSON writes -0 as 0');
  assert.equal(jsonValueKey(JSON.parse('{"__proto__": 1}')), jsonValueKey(JSON.parse('{"__proto__": 1}')));
  assert.notEqual(jsonValueKey(JSON.parse('{"__proto__": 1}')), jsonValueKey({}));
});

test('a value nested far deeper than the walk recurses is keyed by its canonical text, without a stack overflow', () => {
  const deep = (n: number, leaf: unknown) => {
    let v: unknown = leaf;
    for (let i = 0; i < n; i++) v = i % 2 ? [v] : { k: v, a: i };
    return v;
  };
  const a = deep(100_000, 1);
  assert.equal(jsonValueKey(a), jsonValueKey(deep(100_000, 1)));
  assert.notEqual(jsonValueKey(a), jsonValueKey(deep(100_000, 2)));
  assert.notEqual(jsonValueKey(deep(300, 1)), jsonValueKey(deep(299, 1)));
});
