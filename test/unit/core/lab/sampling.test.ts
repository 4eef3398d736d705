import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planSampling, priceFor } from '../../../../src/core/lab/sampling';

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

test('the EuroVoc demo samples pair with their items by id, four per item (the grade --samples pairing)', async () => {
  const { join } = await import('node:path');
  const { pairSamplesFile, readDataItems } = await import('../../../../src/core/graders/gradeInputs');
  const root = join(__dirname, '../../../..');
  const { items, problems } = await readDataItems(join(root, 'demo/lab/eurovoc_demo.jsonl'));
  assert.equal(problems.length, 0);
  assert.equal(items.length, 12);
  const paired = await pairSamplesFile(items, join(root, 'demo/lab/eurovoc_samples.jsonl'));
  assert.equal(paired.problems.length, 0);
  assert.equal(paired.rows.length, 48);
  const perItem = new Map<number, number>();
  for (const r of paired.rows) perItem.set(r.line, (perItem.get(r.line) ?? 0) + 1);
  assert.deepEqual([...perItem.values()], new Array(12).fill(4));
  // output_json is parsed from the text, in the Build Hour response shape the graders read.
  assert.ok(Array.isArray((paired.rows[0].sample.output_json as { level1: unknown[] }).level1));
});

test('sampleModel calls the model K times per item through the real SDK and honours the response format', async () => {
  const { default: OpenAI } = await import('openai');
  const { startEmulator } = await import('../../../../src/emulator/server');
  const { sampleModel } = await import('../../../../src/core/lab/sampling');
  const emulator = await startEmulator({ speed: 1000 });
  try {
    const client = new OpenAI({ baseURL: emulator.url, apiKey: 'test-key', maxRetries: 0 });
    const items = [
      {
        line: 0,
        key: 'a',
        item: { messages: [{ role: 'user', content: 'Classify: fishing quotas in the Baltic.' }] },
      },
      { line: 1, key: 'b', item: { messages: [{ role: 'user', content: 'Classify: airline state aid.' }] } },
    ];
    const responseFormat = {
      type: 'json_schema',
      json_schema: {
        name: 'Level1Codes',
        strict: true,
        schema: {
          type: 'object',
          properties: {
            level1: {
              type: 'array',
              items: {
                type: 'object',
                properties: { code: { type: 'string' } },
                required: ['code'],
                additionalProperties: false,
              },
            },
          },
          required: ['level1'],
          additionalProperties: false,
        },
      },
    };
    const progress: number[] = [];
    const samples = await sampleModel(client, items, {
      model: 'o4-mini-2025-04-16',
      k: 3,
      responseFormat,
      concurrency: 2,
      onSample: (_s, done) => progress.push(done),
    });
    assert.equal(samples.length, 6);
    assert.deepEqual(
      samples.map((s) => [s.itemIndex, s.sampleIndex]),
      [
        [0, 0],
        [0, 1],
        [0, 2],
        [1, 0],
        [1, 1],
        [1, 2],
      ],
    );
    assert.deepEqual(progress, [1, 2, 3, 4, 5, 6]);
    for (const s of samples) {
      const text = (s.input as { output_text: string }).output_text;
      const parsed = JSON.parse(text) as { level1: unknown };
      assert.ok(Array.isArray(parsed.level1), text);
    }
    const chatCalls = emulator.requests().filter((r) => r.path.endsWith('/chat/completions'));
    assert.equal(chatCalls.length, 6);
  } finally {
    await emulator.close();
  }
});
