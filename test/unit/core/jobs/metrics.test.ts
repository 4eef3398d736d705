// Metrics: the reference's example metrics event (read from docs/rft-reference.md §4.5) parses into the
// chart series; emulated jobs give rising rewards and trip the alerts only in their bad scenarios.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import OpenAI, { toFile } from 'openai';
import type { FineTuningJobEvent } from '../../../../src/core/jobs/jobsService';
import { JobsService } from '../../../../src/core/jobs/jobsService';
import { detectAlerts, parseMetricsEvents } from '../../../../src/core/jobs/metrics';
import type { Emulator } from '../../../../src/emulator/server';
import { startEmulator } from '../../../../src/emulator/server';

const REFERENCE = path.resolve(__dirname, '../../../../docs/rft-reference.md');

/** The JSON block that follows "**RFT metrics event**" in the reference. */
function referenceEvent(): FineTuningJobEvent {
  const doc = readFileSync(REFERENCE, 'utf8');
  const at = doc.indexOf('**RFT metrics event**');
  assert.ok(at > 0, 'reference section §4.5 found');
  const m = /```json\n([\s\S]*?)\n```/.exec(doc.slice(at));
  return JSON.parse(m![1]!) as FineTuningJobEvent;
}

const ALERTS = { validGap: 0.15, parseErrorRise: 0.05 };

describe('parseMetricsEvents on the reference example', () => {
  test('every charted figure is read from the documented shape', () => {
    const ev = referenceEvent();
    const s = parseMetricsEvents([ev]);
    assert.equal(s.points.length, 1);
    assert.equal(s.totalSteps, 20);
    assert.deepEqual(s.graderNames, ['basic_model_grader']);
    const p = s.points[0]!;
    assert.equal(p.step, 10);
    assert.equal(p.createdAt, 1746679539);
    assert.equal(p.trainRewardMean, 0.4215686274509804);
    assert.equal(p.validRewardMean, 0.675);
    assert.deepEqual(p.graders, { basic_model_grader: { train: 0.4471057884231537, valid: 0.675 } });
    assert.equal(p.trainParseErrorRate, 0);
    assert.equal(p.validParseErrorRate, 0);
    assert.equal(p.trainInvalidVariableRate, 0);
    assert.equal(p.trainReasoningTokensMean, 3330.017964071856);
    assert.equal(p.validReasoningTokensMean, 1948.9);
    assert.deepEqual(p.timing, {
      eval: 101.69386267662048,
      sampling: 226.82190561294556,
      training: 402.43121099472046,
      fullIteration: 731.5038568973541,
    });
  });

  test('lenient: missing validation, message-only events, non-metrics events, duplicates and disorder', () => {
    const ev = referenceEvent();
    const data = ev.data as Record<string, unknown>;
    const scores = { ...(data.scores as Record<string, unknown>) };
    delete scores.valid_reward_mean;
    const noValid = {
      ...ev,
      id: 'e11',
      created_at: ev.created_at + 60,
      data: { ...data, step: 11, scores, full_valid_mean_reward: undefined },
    } as FineTuningJobEvent;
    const messageOnly = {
      ...ev,
      id: 'e12',
      created_at: ev.created_at + 120,
      data: {},
      message:
        'Step 12/20 , train mean reward=0.50, full validation mean reward=0.61, full validation mean parse error=0.03',
    } as FineTuningJobEvent;
    const plain = {
      object: 'fine_tuning.job.event',
      id: 'm',
      created_at: 1,
      level: 'info',
      message: 'Fine-tuning job started',
      type: 'message',
    } as FineTuningJobEvent;
    const redo = {
      ...ev,
      id: 'e10b',
      created_at: ev.created_at + 5,
      data: { ...data, scores: { ...(data.scores as object), train_reward_mean: 0.43 } },
    } as FineTuningJobEvent;
    const junk = { ...ev, id: 'j', data: 'not an object' } as unknown as FineTuningJobEvent;
    const s = parseMetricsEvents([messageOnly, plain, noValid, ev, redo, junk]);
    assert.deepEqual(
      s.points.map((p) => p.step),
      [10, 11, 12],
    );
    assert.equal(s.points[0]!.trainRewardMean, 0.43, 'the later event for a step wins');
    assert.equal(s.points[1]!.validRewardMean, undefined);
    assert.deepEqual(
      [s.points[2]!.trainRewardMean, s.points[2]!.validRewardMean, s.points[2]!.validParseErrorRate],
      [0.5, 0.61, 0.03],
    );
  });
});

describe('detectAlerts', () => {
  const point = (step: number, train: number, valid?: number, parse?: number) =>
    ({
      object: 'fine_tuning.job.event',
      id: `s${step}`,
      created_at: step,
      level: 'info',
      type: 'metrics',
      message: '',
      data: {
        step,
        total_steps: 10,
        scores: { train_reward_mean: train, ...(valid === undefined ? {} : { valid_reward_mean: valid }) },
        ...(parse === undefined
          ? {}
          : { errors: { graders: [{ name: 'g', valid_sample_parse_error_mean: parse }] } }),
      },
    }) as FineTuningJobEvent;

  test('validation falling behind training beyond the gap', () => {
    const healthy = parseMetricsEvents([
      point(1, 0.3, 0.28),
      point(2, 0.4),
      point(3, 0.5, 0.45),
      point(4, 0.9),
    ]);
    assert.deepEqual(detectAlerts(healthy, ALERTS), []);
    const gap = parseMetricsEvents([point(1, 0.3, 0.28), point(2, 0.6), point(3, 0.7, 0.4), point(4, 0.75)]);
    const alerts = detectAlerts(gap, ALERTS);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]!.kind, 'valid-gap');
    assert.equal(alerts[0]!.step, 3);
    assert.match(
      alerts[0]!.message,
      /Validation reward \(0\.40\) is 0\.30 below training reward \(0\.70\) at step 3/,
    );
  });

  test('parse errors rising over the recent window', () => {
    const flat = parseMetricsEvents([
      point(1, 0.3, 0.3, 0.05),
      point(2, 0.4, 0.4, 0.04),
      point(3, 0.5, 0.5, 0.06),
    ]);
    assert.deepEqual(detectAlerts(flat, ALERTS), []);
    const rising = parseMetricsEvents([
      point(1, 0.3, 0.3, 0.01),
      point(2, 0.4, 0.4, 0.03),
      point(3, 0.5, 0.5, 0.09),
    ]);
    const alerts = detectAlerts(rising, ALERTS);
    assert.deepEqual(
      alerts.map((a) => [a.kind, a.step]),
      [['parse-error-rise', 3]],
    );
    assert.match(alerts[0]!.message, /from 1\.0% to 9\.0% by step 3/);
    assert.deepEqual(detectAlerts(parseMetricsEvents([]), ALERTS), []);
  });
});

describe('metrics from emulated jobs', () => {
  let em: Emulator;
  let client: OpenAI;
  before(async () => {
    em = await startEmulator({ speed: 300 });
    client = new OpenAI({ baseURL: em.url, apiKey: 'k', maxRetries: 0 });
  });
  after(async () => {
    await em.close();
  });

  async function runJob(scenario?: string) {
    const text = `${Array.from({ length: 40 }, (_, i) => JSON.stringify({ messages: [{ role: 'user', content: `q${i}` }], a: `${i}` })).join('\n')}\n`;
    const f = await client.files.create({
      file: await toFile(Buffer.from(text), 't.jsonl'),
      purpose: 'fine-tune',
    });
    await client.files.waitForProcessing(f.id, { pollInterval: 10 });
    const job = await client.fineTuning.jobs.create({
      model: 'o4-mini-2025-04-16',
      training_file: f.id,
      validation_file: f.id,
      metadata: scenario ? { emulator_scenario: scenario } : undefined,
      method: {
        type: 'reinforcement',
        reinforcement: {
          grader: {
            type: 'multi',
            name: 'm',
            graders: {
              exact: {
                type: 'string_check',
                name: 'exact',
                input: '{{sample.output_json.a}}',
                reference: '{{item.a}}',
                operation: 'eq',
              },
              judge: {
                type: 'score_model',
                name: 'judge',
                model: 'gpt-4o-2024-08-06',
                input: [{ role: 'user', content: 'x' }],
              },
            },
            calculate_output: '0.5 * exact + 0.5 * judge',
          } as never,
          response_format: { type: 'json_schema', json_schema: { name: 'a', schema: { type: 'object' } } },
          hyperparameters: { n_epochs: 2, batch_size: 4, eval_interval: 2 },
        } as never,
      } as never,
    });
    for (;;) {
      const j = await client.fineTuning.jobs.retrieve(job.id);
      if (j.status === 'succeeded' || j.status === 'failed') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    return (await new JobsService(client).eventsSince(job.id)).events;
  }

  test('a normal job: 20 steps, rising rewards, per-grader series, falling parse errors, no alerts', async () => {
    const s = parseMetricsEvents(await runJob());
    assert.equal(s.points.length, 20);
    assert.equal(s.totalSteps, 20);
    assert.deepEqual(s.graderNames.sort(), ['exact', 'judge']);
    const first = s.points[0]!;
    const last = s.points.at(-1)!;
    assert.ok(
      last.trainRewardMean! > first.trainRewardMean! + 0.3,
      `${first.trainRewardMean} → ${last.trainRewardMean}`,
    );
    assert.equal(
      s.points.filter((p) => p.validRewardMean !== undefined).length,
      10,
      'validation every eval_interval=2 steps',
    );
    assert.ok(first.trainParseErrorRate! > last.trainParseErrorRate!);
    assert.ok(s.points.every((p) => p.timing.fullIteration! > 0 && p.trainReasoningTokensMean! > 0));
    assert.deepEqual(detectAlerts(s, ALERTS), []);
  });

  test('the valid-gap and parse-errors scenarios trip their alerts', async () => {
    const gap = detectAlerts(parseMetricsEvents(await runJob('valid-gap')), ALERTS);
    assert.deepEqual(
      gap.map((a) => a.kind),
      ['valid-gap'],
    );
    const parse = detectAlerts(parseMetricsEvents(await runJob('parse-errors')), ALERTS);
    assert.ok(parse.some((a) => a.kind === 'parse-error-rise'));
  });
});
