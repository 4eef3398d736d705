import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTree } from 'jsonc-parser/lib/esm/main.js';
import {
  findNodeAtPath,
  formatJsonPath,
  getAtPath,
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

test('findNodeAtPath picks the last of repeated keys, like JSON.parse', () => {
  const text = '{"a": "first", "a": {"b": [1, "two"]}}';
  const node = findNodeAtPath(parseTree(text), ['a', 'b', 1]);
  assert.equal(node?.value, 'two');
  assert.equal(text.slice(node!.offset, node!.offset + node!.length), '"two"');
  assert.equal(getAtPath(JSON.parse(text), ['a', 'b', 1]), 'two');
});
