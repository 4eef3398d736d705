import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isSampleProblem, itemKeyOf, pairSamples, parseSampleLine } from '../../../../src/core/lab/samples';
import type { SampleEntry } from '../../../../src/core/lab/samples';
import { planSampling, priceFor } from '../../../../src/core/lab/sampling';

const root = join(__dirname, '../../../..');

test('parseSampleLine accepts every documented sample shape and explains the rest', () => {
  assert.deepEqual(parseSampleLine('"plain text"', 0), { line: 0, input: 'plain text' });
  assert.deepEqual(parseSampleLine('{"id": 7, "output_json": {"a": 1}}', 3), {
    line: 3,
    id: '7',
    input: { output_json: { a: 1 } },
  });
  const tools = parseSampleLine(
    '{"output_tools": [{"type":"function","function":{"name":"f","arguments":"{}"}}]}',
    1,
  );
  assert.ok(tools && !isSampleProblem(tools) && typeof tools.input === 'object');
  assert.equal(parseSampleLine('   ', 2), undefined);
  const notJson = parseSampleLine('{"output_text": "x"', 4);
  assert.ok(notJson && isSampleProblem(notJson) && /not JSON/.test(notJson.message));
  const wrong = parseSampleLine('{"text": "x"}', 5);
  assert.ok(wrong && isSampleProblem(wrong) && /output_text/.test(wrong.message));
  const badType = parseSampleLine('{"output_text": 3}', 6);
  assert.ok(badType && isSampleProblem(badType));
  const arr = parseSampleLine('[1,2]', 7);
  assert.ok(arr && isSampleProblem(arr));
});

test('pairing by id: the EuroVoc demo has 4 samples for each of its 12 items', () => {
  const items = readFileSync(join(root, 'demo/lab/eurovoc_demo.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => ({ item: JSON.parse(l) as Record<string, unknown> }));
  const samples = readFileSync(join(root, 'demo/lab/eurovoc_samples.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l, i) => parseSampleLine(l, i) as SampleEntry);
  const p = pairSamples(items, samples);
  assert.equal(p.mode, 'id');
  assert.equal(p.pairs.length, 48);
  assert.equal(p.unmatched.length, 0);
  const counts = new Map<number, number>();
  for (const x of p.pairs) counts.set(x.itemIndex, (counts.get(x.itemIndex) ?? 0) + 1);
  assert.deepEqual([...counts.values()], new Array(12).fill(4));
});

test('pairing by line when samples carry no ids; extra samples are reported', () => {
  const items = [{ item: { a: 1 } }, { item: { a: 2 } }];
  const samples: SampleEntry[] = [0, 1, 2].map((line) => ({ line, input: `s${line}` }));
  const p = pairSamples(items, samples);
  assert.equal(p.mode, 'line');
  assert.deepEqual(
    p.pairs.map((x) => x.itemIndex),
    [0, 1],
  );
  assert.match(p.unmatched[0].reason, /no data line 3/);
  const unknown = pairSamples(
    [{ item: { id: 'a' } }],
    [
      { line: 0, id: 'a', input: 'x' },
      { line: 1, id: 'zzz', input: 'y' },
    ],
  );
  assert.equal(unknown.mode, 'id');
  assert.match(unknown.unmatched[0].reason, /zzz/);
  assert.equal(itemKeyOf({ id: 5 }, 0), '5');
  assert.equal(itemKeyOf({}, 9), 'line 10');
});

test('planSampling counts calls and prompt tokens and prices known models', () => {
  const items = [{ line: 0, key: 'a', item: { messages: [{ role: 'user', content: 'hello world' }] } }];
  const plan = planSampling(items, 'o4-mini-2025-04-16', 4, 1000);
  assert.equal(plan.calls, 4);
  assert.equal(plan.promptTokens, 4 * (3 + 1 + 2 + 3));
  assert.ok(
    plan.estimatedUsd !== undefined && Math.abs(plan.estimatedUsd - (36 * 1.1 + 4000 * 4.4) / 1e6) < 1e-12,
  );
  assert.match(plan.summary, /4 call\(s\) to o4-mini-2025-04-16/);
  assert.equal(priceFor('my-local-model'), undefined);
  assert.match(planSampling(items, 'my-local-model', 1).summary, /no price known/);
  assert.deepEqual(priceFor('ft:gpt-4.1-mini-2025-04-14:org::abc'), { input: 0.4, output: 1.6 });
});
