// What the grade tool asks before it runs: python graders run code, model graders send billed requests; a
// string_check runs at once.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { graderRunConfirmation, graderRunPlan } from '../../../src/cli/tools/graderRunPlan';

const demo = join(__dirname, '../../../demo');
const read = (p: string) => JSON.parse(readFileSync(join(demo, p), 'utf8')) as unknown;

test('a local grader needs no confirmation', () => {
  const plan = graderRunPlan(read('graders/toy_sentiment.grader.json'), 2);
  assert.deepEqual(plan, { runsCode: false, models: [], rows: 2, modelRequests: 0 });
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
  assert.deepEqual(graderRunPlan(undefined, 5), { runsCode: false, models: [], rows: 5, modelRequests: 0 });
});
