// KeyTable against a Map keyed by the same three numbers: ids dense and in order of first appearance, lookups of
// absent keys, keys that differ in one part only, and growth through many rehashes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { grow, KeyTable } from '../../../../src/core/stats/keyTable';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0);
}

test('KeyTable numbers distinct keys in order of first appearance, like a Map of their text', () => {
  const next = rng(7);
  const table = new KeyTable();
  const reference = new Map<string, number>();
  const seen: [number, number, number][] = [];
  for (let i = 0; i < 50_000; i++) {
    // A quarter repeat an earlier key; others differ from one in a single part, or are new.
    let key: [number, number, number];
    const pick = next() % 4;
    if (pick === 0 && seen.length) key = seen[next() % seen.length];
    else if (pick === 1 && seen.length) {
      const [a, b, c] = seen[next() % seen.length];
      key = [a, b, (c + 1) | 0];
    } else key = [next() | 0, next() % 5, next() % 3 === 0 ? -1 : next() | 0];
    seen.push(key);
    const text = key.join(',');
    if (!reference.has(text)) reference.set(text, reference.size);
    assert.equal(table.add(...key), reference.get(text));
  }
  assert.equal(table.size, reference.size);
  for (const [text, id] of reference) {
    const [a, b, c] = text.split(',').map(Number);
    assert.equal(table.find(a, b, c), id);
    assert.deepEqual([table.part(id, 0), table.part(id, 1), table.part(id, 2)], [a, b, c]);
  }
  assert.equal(table.find(123, 456, 789), reference.has('123,456,789') ? reference.get('123,456,789') : -1);
  assert.equal(new KeyTable().find(0, 0, 0), -1);
});

test('KeyTable takes parts as 32-bit integers: unsigned and signed spellings are one key', () => {
  const table = new KeyTable();
  const id = table.add(0xffffffff, 0x80000000, 1);
  assert.equal(table.add(-1, -0x80000000, 1), id);
  assert.equal(table.find(0xffffffff, -0x80000000, 1), id);
  assert.equal(table.part(id, 0), -1);
  assert.equal(table.size, 1);
});

test('grow keeps the contents and makes room by doubling', () => {
  const a = Int32Array.of(1, 2, 3);
  const g = grow(a, 4);
  assert.ok(g instanceof Int32Array);
  assert.equal(g.length, 6);
  assert.deepEqual([...g.subarray(0, 3)], [1, 2, 3]);
  assert.equal(grow(new Uint32Array(0), 5).length, 8);
  assert.equal(grow(Uint32Array.of(9), 100).length, 128);
});
