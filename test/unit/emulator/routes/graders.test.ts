// Emulator graders API: a multi grader whose calculate_output the formula parser refuses (10,000 terms, deep
// nesting, a syntax error) gets 400 invalid_grader with a clear message from run, validate and job creation,
// never a 500.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import OpenAI, { toFile } from 'openai';
import { multiOverA } from '../../../lib/graderFixtures';
import { useEmulator } from '../useEmulator';

const emu = useEmulator();

const multi = (calculate_output: string) => multiOverA(calculate_output, { name: 'pathological' });

const TEN_THOUSAND_TERMS = Array.from({ length: 10_000 }, () => 'a').join(' + ');
const DEEP = `${'('.repeat(20_000)}a${')'.repeat(20_000)}`;

async function post(
  path: string,
  body: unknown,
): Promise<{ status: number; error: Record<string, unknown> }> {
  const r = await fetch(`${emu.em.url}${path}`, {
    method: 'POST',
    headers: { authorization: 'Bearer k', 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await r.json()) as { error: Record<string, unknown> };
  return { status: r.status, error: json.error };
}

describe('graders: pathological formulas', () => {
  for (const [what, formula] of [
    ['10,000 terms', TEN_THOUSAND_TERMS],
    ['20,000 nested parentheses', DEEP],
    ['a syntax error', 'a +'],
  ] as const) {
    test(`${what}: run and validate answer 400 invalid_grader`, async () => {
      for (const path of ['/fine_tuning/alpha/graders/run', '/fine_tuning/alpha/graders/validate']) {
        const r = await post(path, { grader: multi(formula), model_sample: 'x' });
        assert.equal(r.status, 400, `${path}: ${JSON.stringify(r.error).slice(0, 300)}`);
        assert.equal(r.error.code, 'invalid_grader');
        assert.equal(r.error.param, 'grader');
        assert.match(String(r.error.message), /^Invalid grader: grader\.calculate_output: /);
        assert.ok(String(r.error.message).length < 300, 'the message does not echo the formula');
      }
    });
  }

  test('job creation refuses the 10,000-term formula with 400 at method.reinforcement.grader', async () => {
    const line = JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] });
    const f = await emu.client.files.create({
      file: await toFile(Buffer.from(`${line}\n`), 't.jsonl'),
      purpose: 'fine-tune',
    });
    for (let i = 0; i < 100 && (await emu.client.files.retrieve(f.id)).status !== 'processed'; i++)
      await new Promise((r) => setTimeout(r, 10));
    await assert.rejects(
      emu.client.fineTuning.jobs.create({
        model: 'o4-mini-2025-04-16',
        training_file: f.id,
        validation_file: f.id,
        method: { type: 'reinforcement', reinforcement: { grader: multi(TEN_THOUSAND_TERMS) as never } },
      }),
      (e: unknown) =>
        e instanceof OpenAI.BadRequestError &&
        (e.error as { param?: string }).param === 'method.reinforcement.grader' &&
        /calculate_output/.test(e.message),
    );
  });

  test('a sound formula still runs', async () => {
    const r = await emu.client.fineTuning.alpha.graders.run({
      grader: multi('0.5 * a + 0.5') as never,
      model_sample: 'x',
    });
    assert.equal(r.reward, 1);
  });
});
