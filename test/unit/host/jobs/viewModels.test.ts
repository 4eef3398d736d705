// The pure view-model helpers of the Jobs feature (no vscode): tree descriptions, ETA, the actions a status
// allows, and the chart lines drawn from the RFT guide's own metrics event.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FineTuningJobCheckpoint, FineTuningJobEvent } from '../../../../src/core/jobs/jobsService';
import { parseMetricsEvents } from '../../../../src/core/jobs/metrics';
import { chartsFromSeries, checkpointRow, eventRow } from '../../../../src/host/jobs/detailsModel';
import { actionsFor, describeJob, etaText, isActiveStatus } from '../../../../src/host/jobs/jobsModel';

// The metrics event from the RFT guide appendix (docs/rft-reference.md §4.5), trimmed to the charted keys.
const guideEvent = {
  object: 'fine_tuning.job.event',
  id: 'ftevent-Iq5LuNLDsac1C3vzshRBuBIy',
  created_at: 1746679539,
  level: 'info',
  message:
    'Step 10/20 , train mean reward=0.42, full validation mean reward=0.68, full validation mean parse error=0.00',
  type: 'metrics',
  data: {
    step: 10,
    usage: {
      samples: { train_reasoning_tokens_mean: 3330.017964071856, valid_reasoning_tokens_mean: 1948.9 },
    },
    errors: {
      graders: [
        {
          name: 'basic_model_grader',
          type: 'score_model',
          train_sample_parse_error_mean: 0.0,
          valid_sample_parse_error_mean: 0.0,
          train_invalid_variable_error_mean: 0.0,
          valid_invalid_variable_error_mean: 0.0,
        },
      ],
    },
    scores: {
      graders: [
        {
          name: 'basic_model_grader',
          type: 'score_model',
          train_reward_mean: 0.4471057884231537,
          valid_reward_mean: 0.675,
        },
      ],
      train_reward_mean: 0.4215686274509804,
      valid_reward_mean: 0.675,
    },
    timing: {
      step: {
        eval: 101.69386267662048,
        sampling: 226.82190561294556,
        training: 402.43121099472046,
        full_iteration: 731.5038568973541,
      },
    },
    total_steps: 20,
  },
} as unknown as FineTuningJobEvent;

test('charts come from the guide metrics event: rewards, per-grader, errors, reasoning tokens, timing', () => {
  const charts = chartsFromSeries(parseMetricsEvents([guideEvent]));
  assert.deepEqual(
    charts.map((c) => c.id),
    ['reward', 'graders', 'errors', 'reasoning', 'timing'],
  );
  const reward = charts.find((c) => c.id === 'reward')!;
  assert.deepEqual(reward.lines[0].points, [[10, 0.4215686274509804]]);
  assert.deepEqual(reward.lines[1].points, [[10, 0.675]]);
  const graders = charts.find((c) => c.id === 'graders')!;
  assert.deepEqual(
    graders.lines.map((l) => [l.label, l.points]),
    [
      ['basic_model_grader (train)', [[10, 0.4471057884231537]]],
      ['basic_model_grader (valid)', [[10, 0.675]]],
    ],
  );
  const timing = charts.find((c) => c.id === 'timing')!;
  assert.deepEqual(timing.lines[0].points, [[10, 731.5038568973541]]);
  const reasoning = charts.find((c) => c.id === 'reasoning')!;
  assert.deepEqual(reasoning.lines[1].points, [[10, 1948.9]]);
});

test('no metrics yet: every chart still exists, with empty lines', () => {
  const charts = chartsFromSeries(parseMetricsEvents([]));
  assert.equal(charts.length, 5);
  for (const c of charts) {
    assert.ok(c.lines.length >= 1, c.id);
    for (const l of c.lines) assert.deepEqual(l.points, []);
  }
});

test('event and checkpoint rows are lenient about missing fields', () => {
  assert.deepEqual(
    eventRow({
      id: 'e1',
      created_at: 5,
      level: 'warn',
      message: 'm',
      object: 'fine_tuning.job.event',
    } as FineTuningJobEvent),
    {
      id: 'e1',
      createdAt: 5,
      level: 'warn',
      type: 'message',
      message: 'm',
    },
  );
  // RFT checkpoints carry reward metrics the SDK's (SFT-shaped) type does not declare.
  const row = checkpointRow({
    id: 'ck',
    created_at: 1,
    fine_tuned_model_checkpoint: 'ft:x:ckpt-step-3',
    fine_tuning_job_id: 'j',
    object: 'fine_tuning.job.checkpoint',
    step_number: 3,
    metrics: { step: 3, valid_reward_mean: 0.5, bogus: 'x' } as unknown as FineTuningJobCheckpoint['metrics'],
  });
  assert.deepEqual(row.metrics, [['valid_reward_mean', 0.5]]);
  assert.equal(row.step, 3);
});

test('actions follow the status: pause only while running, resume only while paused, no cancel when finished', () => {
  const caps = { pauseResume: true, cancel: true };
  assert.deepEqual(actionsFor('running', caps, false), ['pause', 'cancel', 'copyId', 'refresh']);
  assert.deepEqual(actionsFor('paused', caps, false), ['resume', 'cancel', 'copyId', 'refresh']);
  assert.deepEqual(actionsFor('succeeded', caps, true), ['evaluate', 'copyModel', 'copyId', 'refresh']);
  // A cancelled job may have a model from before; it can be copied, not evaluated from here.
  assert.deepEqual(actionsFor('cancelled', caps, true), ['copyModel', 'copyId', 'refresh']);
  assert.deepEqual(actionsFor('queued', { pauseResume: false, cancel: true }, false), [
    'cancel',
    'copyId',
    'refresh',
  ]);
  assert.equal(isActiveStatus('paused'), false);
  assert.equal(isActiveStatus('validating_files'), true);
  assert.equal(isActiveStatus('some_new_azure_state'), true);
});

test('ETA from the estimated finish, else from step progress; none when finished', () => {
  const now = 1_000_000_000_000;
  assert.equal(
    etaText({ status: 'running', model: 'm', estimatedFinish: now / 1000 + 600 }, now),
    'about 10 min left',
  );
  // 5 of 20 steps in 10 minutes → 30 minutes left.
  assert.equal(
    etaText({ status: 'running', model: 'm', step: 5, totalSteps: 20, createdAt: now / 1000 - 600 }, now),
    'about 30 min left',
  );
  assert.equal(
    etaText({ status: 'running', model: 'm', step: 1, totalSteps: 100, createdAt: now / 1000 - 7200 }, now),
    'about 198 h 0 min left',
  );
  assert.equal(
    etaText({ status: 'succeeded', model: 'm', estimatedFinish: now / 1000 + 600 }, now),
    undefined,
  );
  assert.equal(
    describeJob(
      {
        status: 'running',
        model: 'o4-mini',
        step: 5,
        totalSteps: 20,
        trainReward: 0.4216,
        validReward: 0.675,
      },
      now,
    ),
    'running · step 5/20 · train 0.422 / valid 0.675',
  );
});
