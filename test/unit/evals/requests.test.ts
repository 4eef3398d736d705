// Request building (both endpoints' bodies, sampling params, seeds, keys), answer parsing, the request cache, the
// rate-limit header parsing, and the estimate.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EvalCache } from '../../../src/core/evals/cache';
import { estimateEval } from '../../../src/core/evals/estimate';
import { parseResetDuration, retryAfterMs } from '../../../src/core/evals/rateControl';
import { buildRequest, parseAnswer, requestBody } from '../../../src/core/evals/requests';
import { loadEvalSpec } from '../../../src/core/evals/spec';
import type { EvalCandidateSpec } from '../../../src/core/evals/types';
import { workspace } from './evalKit';

const RF = { type: 'json_schema', json_schema: { name: 'x', strict: true, schema: { type: 'object' } } };
const ITEM = {
  messages: [{ role: 'user', content: 'hi' }],
  tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
};
const C: EvalCandidateSpec = {
  label: 'a',
  model: 'o4-mini',
  temperature: 0.5,
  top_p: 0.9,
  max_output_tokens: 200,
  reasoning_effort: 'low',
  seed: 10,
};

describe('eval requests', () => {
  test('Chat Completions body: max_completion_tokens, reasoning_effort, response_format, seed + sample', () => {
    assert.deepEqual(requestBody(C, ITEM, 2, RF), {
      model: 'o4-mini',
      messages: ITEM.messages,
      tools: ITEM.tools,
      response_format: RF,
      temperature: 0.5,
      top_p: 0.9,
      max_completion_tokens: 200,
      reasoning_effort: 'low',
      seed: 12,
    });
    assert.deepEqual(requestBody({ label: 'b', model: 'm' }, { messages: ITEM.messages }, 0, undefined), {
      model: 'm',
      messages: ITEM.messages,
    });
  });

  test('Responses body: input, text.format, reasoning.effort, max_output_tokens, tools flattened', () => {
    assert.deepEqual(requestBody({ ...C, api: 'responses' }, ITEM, 1, RF), {
      model: 'o4-mini',
      input: ITEM.messages,
      tools: [{ type: 'function', name: 'f', parameters: { type: 'object' } }],
      text: { format: { type: 'json_schema', name: 'x', strict: true, schema: { type: 'object' } } },
      temperature: 0.5,
      top_p: 0.9,
      max_output_tokens: 200,
      reasoning: { effort: 'low' },
      store: false,
    });
  });

  test('keys change with the sample, the provider and the body, not with key order', () => {
    const item = { index: 0, line: 0, key: 'line 1', item: ITEM };
    const k = (c: EvalCandidateSpec, s: number, url: string) =>
      buildRequest({ responseFormat: RF }, c, item, s, url).key;
    const noSeed = { label: 'a', model: 'm' };
    assert.notEqual(k(noSeed, 0, 'http://x/v1'), k(noSeed, 1, 'http://x/v1'));
    assert.notEqual(k(noSeed, 0, 'http://x/v1'), k(noSeed, 0, 'http://y/v1'));
    assert.equal(k(noSeed, 0, 'http://x/v1'), k(noSeed, 0, 'http://x/v1/'));
    assert.equal(k(noSeed, 0, 'http://x/v1'), k({ model: 'm', label: 'other label' }, 0, 'http://x/v1'));
    assert.notEqual(k(noSeed, 0, 'http://x/v1'), k({ ...noSeed, temperature: 1 }, 0, 'http://x/v1'));
  });

  test('answers of both endpoints parse into text, JSON (with a JSON-schema format) and usage', () => {
    const chat = buildRequest({ responseFormat: RF }, C, { index: 0, line: 0, key: 'k', item: ITEM }, 0, 'u');
    const a = parseAnswer(
      chat,
      {
        model: 'o4-mini-2025-04-16',
        choices: [{ message: { content: '{"x": 1}' } }],
        usage: { prompt_tokens: 5, completion_tokens: 7, completion_tokens_details: { reasoning_tokens: 3 } },
      },
      12.4,
    );
    assert.deepEqual(a, {
      output_text: '{"x": 1}',
      output_json: { x: 1 },
      usage: { input_tokens: 5, output_tokens: 7, reasoning_tokens: 3 },
      latency_ms: 12,
      model: 'o4-mini-2025-04-16',
    });
    const bad = parseAnswer(chat, { choices: [{ message: { content: 'not json' } }] }, 1);
    assert.equal(bad.output_json, undefined);
    const resp = buildRequest(
      {},
      { ...C, api: 'responses' },
      { index: 0, line: 0, key: 'k', item: ITEM },
      0,
      'u',
    );
    const r = parseAnswer(
      resp,
      {
        output: [{ type: 'message', content: [{ type: 'output_text', text: 'hello' }] }],
        usage: { input_tokens: 2, output_tokens: 1 },
      },
      3,
    );
    assert.equal(r.output_text, 'hello');
    assert.equal(r.output_json, undefined);
    assert.deepEqual(r.usage, { input_tokens: 2, output_tokens: 1 });
  });
});

describe('eval cache', () => {
  test('answers round-trip under <2 hex>/<key>.json; a damaged entry is a miss; no temp files are left', async () => {
    const cache = new EvalCache(mkdtempSync(join(tmpdir(), 'rft-evalcache-')));
    const key = 'ab'.padEnd(64, '0');
    assert.equal(await cache.get(key), undefined);
    const resp = { output_text: 'x', usage: { input_tokens: 1, output_tokens: 2 }, latency_ms: 3 };
    await cache.put(key, resp);
    assert.deepEqual(await cache.get(key), resp);
    assert.deepEqual(readdirSync(join(cache.dir, 'ab')), [`${key}.json`]);
    writeFileSync(cache.fileOf(key), '{"output_te');
    assert.equal(await cache.get(key), undefined);
    assert.throws(() => cache.fileOf('../etc/passwd'), /not a request key/);
  });
});

describe('rate-limit headers', () => {
  test('reset durations and retry-after', () => {
    assert.equal(parseResetDuration('120ms'), 120);
    assert.equal(parseResetDuration('8.64s'), 8640);
    assert.equal(parseResetDuration('6m0s'), 360_000);
    assert.equal(parseResetDuration('1h2m3s'), 3_723_000);
    assert.equal(parseResetDuration('soon'), undefined);
    const h = (o: Record<string, string>) => new Headers(o);
    assert.equal(retryAfterMs(h({ 'retry-after-ms': '250', 'retry-after': '3' })), 250);
    assert.equal(retryAfterMs(h({ 'retry-after': '3' })), 3000);
    assert.equal(retryAfterMs(h({ 'retry-after': new Date(10_000).toUTCString() }), 4_000), 6_000);
    assert.equal(retryAfterMs(h({})), undefined);
  });
});

describe('eval estimate', () => {
  test('calls, cached calls, prompt tokens and cost by candidate; unknown prices say so', async () => {
    const { specPath } = workspace({
      candidates: [
        { label: 'base', model: 'o4-mini-2025-04-16' },
        { label: 'local', model: 'my-local-model' },
      ],
    });
    const spec = await loadEvalSpec(specPath);
    const first = spec.items[0]!;
    const cachedKey = buildRequest(spec, spec.candidates[0]!, first, 0, 'http://x/v1').key;
    const e = await estimateEval(spec, {
      baseUrlOf: () => 'http://x/v1',
      isCached: async (r) => r.key === cachedKey,
    });
    const n = spec.items.length * 2;
    assert.equal(e.calls, n * 2);
    assert.equal(e.cached, 1);
    assert.equal(e.candidates[0]!.cached, 1);
    assert.ok(e.candidates[0]!.usd! > 0);
    assert.equal(e.candidates[1]!.usd, undefined);
    assert.deepEqual(e.unpriced, ['local']);
    assert.match(e.summary, /local \(my-local-model\): \d+ call\(s\), no price known/);
    assert.match(e.summary, /1 already cached/);
    const all = await estimateEval(spec, { baseUrlOf: () => 'http://x/v1', isCached: async () => true });
    assert.match(all.summary, /answered by the cache: this run costs nothing/);
  });
});
