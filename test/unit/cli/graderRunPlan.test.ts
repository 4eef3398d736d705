// What the grade tool asks before it runs: python graders run code, model graders send billed requests; a
// string_check runs at once.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { graderRunConfirmation, graderRunPlan } from '../../../src/cli/tools/graderRunPlan';
import { PROMPT_TOKEN_MARGIN } from '../../../src/core/evals/estimate';
import { jsonText } from '../../../src/core/json/canonicalJson';
import { priceFor } from '../../../src/core/lab/sampling';
import { countTokens } from '../../../src/core/tokens/tokenizer';

const demo = join(__dirname, '../../../demo');
const read = (p: string) => JSON.parse(readFileSync(join(demo, p), 'utf8')) as unknown;

test('a local grader needs no confirmation', () => {
  const plan = graderRunPlan(read('graders/toy_sentiment.grader.json'), 2);
  assert.deepEqual(plan, { runsCode: false, models: [], rows: 2, modelRequests: 0, usd: 0, unpriced: [] });
  assert.equal(graderRunConfirmation(plan, 'g.json'), undefined);
});

test('a model grader states the requests it will send and to which model', () => {
  const plan = graderRunPlan(read('graders/countdown.grader.json'), 50);
  assert.equal(plan.runsCode, false);
  assert.ok(plan.models.length >= 1, JSON.stringify(plan));
  const text = graderRunConfirmation(plan, 'graders/countdown.grader.json')!;
  assert.match(
    text,
    new RegExp(
      `sends \\*\\*${50 * plan.models.length} request\\(s\\)\\*\\* to the active provider \\(o3-mini`,
    ),
  );
  assert.match(text, /billed/);
});

test('the estimated cost is the requests at list price: template and row tokens in, the output cap or 1,000 out', () => {
  const grader = {
    type: 'score_model',
    name: 'judge',
    model: 'o4-mini-2025-04-16',
    input: [{ role: 'user', content: 'Score {{ sample.output_text }} against {{ item.reference_answer }}' }],
    sampling_params: { max_completion_tokens: 200 },
  };
  const template = countTokens(jsonText(grader.input));
  const price = priceFor('o4-mini')!;
  const plan = graderRunPlan(grader, 40, 100);
  const expected = (40 * ((template + 100) * PROMPT_TOKEN_MARGIN * price.input + 200 * price.output)) / 1e6;
  assert.ok(Math.abs(plan.usd - expected) < 1e-12, `${plan.usd} vs ${expected}`);
  const text = graderRunConfirmation(plan, 'j.json')!;
  assert.match(
    text,
    new RegExp(`Estimated cost: \\*\\*about \\$${expected.toFixed(3).replace('.', '\\.')}\\*\\*`),
  );
  // Without a cap the assumed output length counts; an unknown model is named, not priced.
  const uncapped = graderRunPlan({ ...grader, sampling_params: undefined }, 40, 100);
  assert.ok(uncapped.usd > plan.usd);
  const unknown = graderRunPlan({ ...grader, model: 'my-own-model' }, 40, 100);
  assert.deepEqual(unknown.unpriced, ['my-own-model']);
  assert.equal(unknown.usd, 0);
  assert.match(graderRunConfirmation(unknown, 'j.json')!, /No list price is known for my-own-model/);
});

test('python inside multi is found, and says it runs code in the sandbox', () => {
  const grader = {
    type: 'multi',
    graders: {
      a: { type: 'string_check', operation: 'eq', input: '{{ sample.output_text }}', reference: 'x' },
      b: { type: 'python', source: 'def grade(s, i):\n    return 1.0\n' },
    },
    calculate_output: 'a + b',
  };
  const plan = graderRunPlan(grader, 3);
  assert.equal(plan.runsCode, true);
  assert.match(graderRunConfirmation(plan, 'm.json')!, /runs Python code from the grader file.*sandbox/);
});

test('an unreadable grader plans nothing', () => {
  assert.deepEqual(graderRunPlan(undefined, 5), {
    runsCode: false,
    models: [],
    rows: 5,
    modelRequests: 0,
    usd: 0,
    unpriced: [],
  });
});
