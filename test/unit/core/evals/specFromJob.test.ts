// "Evaluate against base model" specs, built from the real demo job run on the emulator (through the openai SDK):
// the local files are referenced while they match the job, inlined when they do not, a placeholder stands in for an
// unknown dataset, checkpoints get their own spec, and an existing spec is never overwritten.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type OpenAI from 'openai';
import type { FineTuningJob } from 'openai/resources/fine-tuning/jobs/jobs';
import type { ResolvedJobSpec } from '../../../../src/core/jobs/jobSpec';
import { parseJobSpec, resolveJobSpec } from '../../../../src/core/jobs/jobSpec';
import { launchJob } from '../../../../src/core/jobs/launch';
import { createClient } from '../../../../src/core/providers';
import { EvalSpecError, loadEvalSpec } from '../../../../src/core/evals/spec';
import type { JobForEval } from '../../../../src/core/evals/specFromJob';
import {
  DATASET_PLACEHOLDER_PREFIX,
  SpecFromJobError,
  localFilesOf,
  samplesPerItemFor,
  specFromJob,
  writeSpecFromJob,
} from '../../../../src/core/evals/specFromJob';
import type { Emulator } from '../../../../src/emulator/server';
import { startEmulator } from '../../../../src/emulator/server';
import { tempDir } from '../../../lib/tempFiles';
import { waitFor } from '../../../lib/waitFor';

const DEMO_SPEC = path.resolve(__dirname, '../../../../demo/jobs/countdown.rftjob.json');

let em: Emulator;
let client: OpenAI;
let resolved: ResolvedJobSpec;
let job: JobForEval & FineTuningJob;

before(async () => {
  em = await startEmulator({ speed: 400 });
  client = createClient(
    { id: 'e', kind: 'compatible', label: 'Emulator', baseURL: em.url, auth: 'apiKey' },
    { apiKey: 'sk-spec-from-job' },
  );
  resolved = await resolveJobSpec(parseJobSpec(await readFile(DEMO_SPEC, 'utf8')).spec!, DEMO_SPEC, (p) =>
    readFile(p, 'utf8'),
  );
  const created = await launchJob(resolved, {
    client,
    launchId: randomUUID(),
    processingPollMs: 10,
    retryBaseMs: 10,
  });
  job = (await waitFor(
    'the demo job to succeed',
    async () => {
      const j = await client.fineTuning.jobs.retrieve(created.id);
      assert.notEqual(j.status, 'failed', JSON.stringify(j.error));
      return j.status === 'succeeded' && j;
    },
    60_000,
  )) as JobForEval & FineTuningJob;
});
after(() => em.close());

const fallbackDir = path.join(tempDir('rft-spec-from-job-'), 'evals');
const fromSpecDir = (p: string) => path.resolve(path.dirname(DEMO_SPEC), 'evals', p);

describe('specFromJob', () => {
  test('the succeeded demo job: base against its fine-tuned model, on the files it was launched with', () => {
    const made = specFromJob(job, { local: localFilesOf(resolved), fallbackDir });
    assert.match(job.fine_tuned_model!, /^ft:o4-mini-2025-04-16:/);
    assert.equal(made.dir, path.join(path.dirname(DEMO_SPEC), 'evals'));
    assert.equal(made.stem, 'countdown-demo-vs-base');
    assert.equal(made.needsDataset, false);
    assert.deepEqual(made.notes, []);
    const { spec } = made;
    assert.equal(spec.name, 'countdown-demo-vs-base');
    assert.equal(fromSpecDir(spec.dataset), resolved.validationFile);
    assert.deepEqual(
      spec.graders.map((g) => fromSpecDir(g as string)),
      [resolved.graderPath],
    );
    assert.equal(fromSpecDir(spec.response_format as string), resolved.responseFormatPath);
    assert.equal(spec.samples_per_item, 8);
    assert.equal(spec.pass_threshold, 5, "the grader's pass_threshold");
    assert.deepEqual(
      spec.candidates.map((c) => [c.label, c.model]),
      [
        ['base', 'o4-mini-2025-04-16'],
        ['tuned', job.fine_tuned_model],
      ],
    );
    // Both sampled alike: same seed, and the reasoning effort the job trained with.
    for (const c of spec.candidates) {
      assert.equal(c.seed, 42);
      assert.equal(c.reasoning_effort, 'low');
    }
  });

  test('a checkpoint: the tuned candidate is the checkpoint model, and the spec is named after its step', async () => {
    const page = await client.fineTuning.jobs.checkpoints.list(job.id);
    const ckpt = page.data.at(-1)!;
    assert.ok(ckpt.fine_tuned_model_checkpoint.startsWith('ft:o4-mini-2025-04-16:'));
    const made = specFromJob(job, {
      checkpoint: { model: ckpt.fine_tuned_model_checkpoint, step: ckpt.step_number },
      local: localFilesOf(resolved),
      fallbackDir,
    });
    assert.equal(made.stem, `countdown-demo-step-${ckpt.step_number}-vs-base`);
    assert.equal(made.spec.candidates[1]!.model, ckpt.fine_tuned_model_checkpoint);
    assert.equal(made.spec.candidates[0]!.model, 'o4-mini-2025-04-16');
    assert.match(made.spec.description!, new RegExp(`step ${ckpt.step_number} checkpoint`));
  });

  test('a local grader that changed since the launch is not used: the job grader is inlined', () => {
    const local = localFilesOf(resolved);
    const edited = { ...(local.grader!.content as Record<string, unknown>), name: 'edited since' };
    const made = specFromJob(job, {
      local: { ...local, grader: { path: local.grader!.path, content: edited } },
      fallbackDir,
    });
    assert.deepEqual(made.spec.graders, [job.method!.reinforcement!.grader]);
    assert.match(made.notes.join('\n'), /countdown\.grader\.json no longer matches the job's grader/);
    assert.equal(typeof made.spec.response_format, 'string', 'the unchanged response format stays a path');
  });

  test('nothing known locally: grader and response format inlined, a placeholder dataset, the fallback folder', () => {
    const made = specFromJob(job, { fallbackDir, samplesPerItem: 1, seed: 7 });
    assert.equal(made.dir, fallbackDir);
    assert.equal(made.needsDataset, true);
    assert.equal(made.spec.dataset, `${DATASET_PLACEHOLDER_PREFIX}${job.validation_file}.jsonl`);
    assert.match(made.notes.join('\n'), new RegExp(`No local copy of ${job.validation_file}`));
    assert.deepEqual(made.spec.graders, [job.method!.reinforcement!.grader]);
    assert.deepEqual(made.spec.response_format, resolved.responseFormat);
    assert.equal(made.spec.samples_per_item, 2, 'never fewer than 2 samples per item');
    assert.equal(made.spec.candidates[0]!.seed, 7);
  });

  test('without a validation file the training file is used, and the spec says so', () => {
    const made = specFromJob({ ...job, validation_file: null }, { fallbackDir });
    assert.equal(made.spec.dataset, `${DATASET_PLACEHOLDER_PREFIX}${job.training_file}.jsonl`);
    assert.match(made.notes[0]!, /no validation file.*training file/);
    assert.match(made.spec.description!, /training data/);
  });

  test('a job without a model yet, or without a grader, is refused with a reason', () => {
    assert.throws(
      () => specFromJob({ ...job, fine_tuned_model: null }, { fallbackDir }),
      (e: unknown) => e instanceof SpecFromJobError && /no fine-tuned model yet/.test(e.message),
    );
    assert.throws(
      () => specFromJob({ ...job, method: { type: 'supervised' } }, { fallbackDir }),
      (e: unknown) => e instanceof SpecFromJobError && /not a reinforcement fine-tuning job/.test(e.message),
    );
  });
});

describe('samplesPerItemFor', () => {
  test('about 120 samples per candidate, between 2 and 8 per item; 8 when the item count is unknown', () => {
    assert.deepEqual([1, 15, 16, 30, 40, 59, 60, 1000].map(samplesPerItemFor), [8, 8, 8, 4, 3, 3, 2, 2]);
    assert.equal(samplesPerItemFor(undefined), 8);
    assert.equal(samplesPerItemFor(0), 8);
  });
});

describe('writeSpecFromJob', () => {
  test('writes <stem>.rfteval.json, then -2, -3: an existing spec is never replaced', async () => {
    const dir = path.join(tempDir('rft-spec-write-'), 'nested', 'evals');
    const made = specFromJob(job, { fallbackDir: dir });
    const first = await writeSpecFromJob(made);
    assert.equal(first, path.join(dir, 'countdown-demo-vs-base.rfteval.json'));
    assert.deepEqual(JSON.parse(await readFile(first, 'utf8')), made.spec);
    await writeFile(first, '{"mine": true}\n');
    const second = await writeSpecFromJob(made);
    const third = await writeSpecFromJob(made);
    assert.equal(path.basename(second), 'countdown-demo-vs-base-2.rfteval.json');
    assert.equal(path.basename(third), 'countdown-demo-vs-base-3.rfteval.json');
    assert.equal(await readFile(first, 'utf8'), '{"mine": true}\n');
    assert.equal((await readdir(dir)).length, 3);
  });

  test('a folder that cannot be created is an error, not a silent success', async () => {
    const root = tempDir('rft-spec-write-');
    await writeFile(path.join(root, 'evals'), 'a file where the folder should be');
    await assert.rejects(
      writeSpecFromJob({ ...specFromJob(job, { fallbackDir }), dir: path.join(root, 'evals') }),
      /EEXIST|ENOTDIR/,
    );
  });

  test('what it writes loads as an eval spec; a placeholder dataset is reported on the dataset field', async () => {
    const known = specFromJob(job, { local: localFilesOf(resolved), fallbackDir });
    const written = await writeSpecFromJob({ ...known, dir: tempDir('rft-spec-load-') });
    // Relative paths are relative to the spec: written elsewhere they do not resolve, written where meant they do.
    await assert.rejects(
      loadEvalSpec(written),
      (e: unknown) => e instanceof EvalSpecError && e.pointer === '/dataset',
    );
    const inlined = specFromJob(job, {
      local: { dataset: resolved.validationFile },
      fallbackDir: tempDir('rft-spec-load-'),
    });
    const loaded = await loadEvalSpec(await writeSpecFromJob(inlined));
    assert.equal(loaded.datasetPath, resolved.validationFile);
    assert.equal(loaded.items.length, 15);
    assert.deepEqual(loaded.graders[0]!.grader, job.method!.reinforcement!.grader);
    assert.deepEqual(
      loaded.candidates.map((c) => c.label),
      ['base', 'tuned'],
    );
    assert.equal(loaded.samplesPerItem, inlined.spec.samples_per_item);
    const placeholder = await writeSpecFromJob(specFromJob(job, { fallbackDir: tempDir('rft-spec-load-') }));
    await assert.rejects(
      loadEvalSpec(placeholder),
      (e: unknown) =>
        e instanceof EvalSpecError &&
        e.pointer === '/dataset' &&
        e.message.includes(`${DATASET_PLACEHOLDER_PREFIX}${job.validation_file}.jsonl does not exist`),
    );
  });
});

describe('the demo eval spec', () => {
  test('demo/evals/countdown.rfteval.json loads: base against a fine-tuned id of the same base, seeded, K >= 2', async () => {
    const demo = await loadEvalSpec(path.resolve(__dirname, '../../../../demo/evals/countdown.rfteval.json'));
    assert.equal(demo.datasetPath, resolved.validationFile);
    assert.equal(demo.graders[0]!.path, resolved.graderPath);
    assert.ok(demo.samplesPerItem >= 2);
    const [base, tuned] = demo.candidates;
    assert.equal(base!.model, 'o4-mini-2025-04-16');
    assert.match(tuned!.model, /^ft:o4-mini-2025-04-16:/);
    assert.ok(base!.seed !== undefined && base!.seed === tuned!.seed);
  });
});
