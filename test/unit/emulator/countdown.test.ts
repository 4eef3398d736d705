// The fake model's Countdown skill: the puzzle read from the demo prompts, solutions that check out, the judge
// following the demo grader's rules, and through the SDK an eval on the demo Countdown datasets, graded by the
// demo's score_model grader on graders/run, where any `ft:BASE:…` id solves significantly more often than BASE.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type OpenAI from 'openai';
import { evaluateFormula, parseFormula } from '../../../src/core/graders/formula';
import {
  countdownJudge,
  countdownTask,
  fineTunedBase,
  solveCountdown,
} from '../../../src/emulator/countdown';
import { useEmulator } from './useEmulator';

const DEMO = join(__dirname, '../../../demo');
interface Item {
  messages: Array<{ role: string; content: string }>;
  target: string;
  nums: string;
}
const items: Item[] = ['countdown_train.jsonl', 'countdown_valid.jsonl'].flatMap((f) =>
  readFileSync(join(DEMO, 'datasets/rft', f), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Item),
);
const grader = JSON.parse(readFileSync(join(DEMO, 'graders/countdown.grader.json'), 'utf8')) as Record<
  string,
  unknown
>;
const responseFormat = JSON.parse(
  readFileSync(join(DEMO, 'graders/countdown.response_format.json'), 'utf8'),
) as OpenAI.ResponseFormatJSONSchema;

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

describe('Countdown skill', () => {
  test('the puzzle is the prompt\u2019s last Target/Numbers (the earlier ones are examples)', () => {
    for (const it of items) {
      const task = countdownTask(it.messages[it.messages.length - 1]!.content);
      assert.deepEqual(task, { target: Number(it.target), numbers: JSON.parse(it.nums) as number[] });
    }
    assert.equal(countdownTask('no puzzle here'), undefined);
    assert.equal(fineTunedBase('ft:o4-mini-2025-04-16:emulator:cd:abc123'), 'o4-mini-2025-04-16');
    assert.equal(fineTunedBase('ft:gpt-4.1-mini:my-org::xyz'), 'gpt-4.1-mini');
    assert.equal(fineTunedBase('o4-mini-2025-04-16'), undefined);
  });

  test('solutions use every number once and reach the target', () => {
    let solved = 0;
    for (const it of items) {
      const nums = JSON.parse(it.nums) as number[];
      const expr = solveCountdown(nums, Number(it.target));
      if (!expr) continue;
      solved++;
      assert.ok(Math.abs(evaluateFormula(parseFormula(expr), {}) - Number(it.target)) < 1e-9, expr);
      assert.deepEqual(sorted((expr.match(/\d+/g) ?? []).map(Number)), sorted(nums), expr);
    }
    assert.ok(solved >= items.length * 0.8, `solvable: ${solved}/${items.length}`);
    assert.equal(solveCountdown([1, 1], 5), undefined);
  });

  test('the judge follows the demo grader\u2019s scoring rules', () => {
    const ask = (expression: string, result: string) =>
      countdownJudge(
        `{ "target": 24, "numbers": [2, 3, 4], "output": {"expression": "${expression}", "result": "${result}"}}`,
      )?.score;
    assert.equal(ask('(2 + 4) * 4', '24'), 1, 'a number used twice, another missing');
    assert.equal(ask('2 * 3 * 4', '24'), 5);
    assert.equal(ask('2 x 3 x 4', '24'), 5);
    assert.equal(ask('(2 * 3 * 4) - 1 + 1', '24'), 1, 'extra numbers');
    assert.equal(ask('3 * 4 + 2', '14'), 2);
    assert.equal(ask('3 * (4 + 2)', '18'), 2);
    assert.equal(ask('2 * 3 * 4', '25'), 1, 'reported result does not match');
    assert.equal(ask('2 * * 3 4', '24'), 0);
    assert.equal(countdownJudge('{"target": 24, "numbers": [2, 3, 4]}'), undefined, 'no answer to judge');
  });
});

describe('Countdown eval: base vs fine-tuned through the SDK', () => {
  const emu = useEmulator();

  async function passRate(model: string): Promise<{ rate: number; n: number }> {
    let pass = 0;
    let n = 0;
    for (const it of items) {
      const c = await emu.client.chat.completions.create({
        model,
        messages: it.messages as OpenAI.ChatCompletionMessageParam[],
        response_format: responseFormat,
        n: 4,
      });
      const graded = await Promise.all(
        c.choices.map((choice) =>
          emu.client.fineTuning.alpha.graders.run({
            grader: grader as never,
            model_sample: choice.message.content ?? '',
            item: it as never,
          }),
        ),
      );
      n += graded.length;
      pass += graded.filter((g) => g.reward >= 5).length;
    }
    return { rate: pass / n, n };
  }

  test('an ft:BASE id solves significantly more often than BASE, deterministically', async () => {
    const base = await passRate('o4-mini-2025-04-16');
    // No job produced this id: any ft:BASE:… id counts as a fine-tuned BASE.
    const tuned = await passRate('ft:o4-mini-2025-04-16:emulator:countdown:never-trained');
    assert.ok(base.rate > 0.15 && base.rate < 0.5, `base pass rate ${base.rate}`);
    assert.ok(tuned.rate > 0.55 && tuned.rate < 0.95, `fine-tuned pass rate ${tuned.rate}`);
    // Two-proportion z-test: the gap is far beyond chance.
    const p = (base.rate * base.n + tuned.rate * tuned.n) / (base.n + tuned.n);
    const z = (tuned.rate - base.rate) / Math.sqrt(p * (1 - p) * (1 / base.n + 1 / tuned.n));
    assert.ok(
      z > 4,
      `z = ${z.toFixed(2)} (base ${base.rate.toFixed(2)}, fine-tuned ${tuned.rate.toFixed(2)})`,
    );
    const again = await passRate('o4-mini-2025-04-16');
    assert.deepEqual(again, base, 'same requests, same answers');
    console.log(
      `countdown eval: base ${(base.rate * 100).toFixed(0)}% vs fine-tuned ${(tuned.rate * 100).toFixed(0)}% of ${base.n} samples (z = ${z.toFixed(1)})`,
    );
  });
});
