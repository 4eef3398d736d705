// Launch through the real openai SDK against the emulator: uploads (files and uploads API) with progress,
// processing, and exactly one job even when create responses are lost or fail and requests are retried.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import type { ResolvedJobSpec } from '../../../../src/core/jobs/jobSpec';
import { parseJobSpec, resolveJobSpec } from '../../../../src/core/jobs/jobSpec';
import type { LaunchProgress } from '../../../../src/core/jobs/launch';
import { LAUNCH_METADATA_KEY, LaunchError, launchJob } from '../../../../src/core/jobs/launch';
import { createClient, describeApiError } from '../../../../src/core/providers';
import type { Emulator } from '../../../../src/emulator/server';
import { startEmulator } from '../../../../src/emulator/server';

const DEMO_SPEC = path.resolve(__dirname, '../../../../demo/jobs/countdown.rftjob.json');

let em: Emulator;
let client: OpenAI;
let resolved: ResolvedJobSpec;
let dir: string;

const fast = { processingPollMs: 10, retryBaseMs: 10 };

async function jobsWithLaunch(launchId: string) {
  const page = await client.fineTuning.jobs.list({ limit: 100 });
  return page.data.filter(
    (j) => (j.metadata as Record<string, string> | null)?.[LAUNCH_METADATA_KEY] === launchId,
  );
}

before(async () => {
  em = await startEmulator({ speed: 200 });
  client = createClient(
    { id: 'e', kind: 'compatible', label: 'Emulator', baseURL: em.url, auth: 'apiKey' },
    { apiKey: 'sk-launch-test-key' },
  );
  const text = await readFile(DEMO_SPEC, 'utf8');
  resolved = await resolveJobSpec(parseJobSpec(text).spec!, DEMO_SPEC, (p) => readFile(p, 'utf8'));
  dir = await mkdtemp(path.join(tmpdir(), 'rft-launch-'));
});
after(async () => {
  await em.close();
  await rm(dir, { recursive: true, force: true });
});

describe('launchJob', () => {
  test('uploads both files, waits for processing, creates the RFT job with the spec', async () => {
    const progress: LaunchProgress[] = [];
    const launchId = randomUUID();
    const job = await launchJob(resolved, { client, launchId, onProgress: (p) => progress.push(p), ...fast });
    assert.equal(job.status, 'validating_files');
    assert.equal(job.model, 'o4-mini-2025-04-16');
    assert.equal((job as unknown as { user_provided_suffix: string }).user_provided_suffix, 'countdown-demo');
    assert.equal(job.seed, 42);
    assert.deepEqual(job.metadata, {
      project: 'rft-studio-demo',
      task: 'countdown',
      [LAUNCH_METADATA_KEY]: launchId,
    });
    const rl = (job.method as unknown as { reinforcement: Record<string, unknown> }).reinforcement;
    assert.deepEqual(rl.grader, resolved.grader);
    assert.deepEqual(rl.response_format, resolved.responseFormat);
    assert.equal((rl.hyperparameters as Record<string, unknown>).n_epochs, 3);
    // Uploaded content is byte for byte the dataset.
    const training = await client.files.content(job.training_file);
    assert.equal(await training.text(), await readFile(resolved.trainingFile, 'utf8'));
    // Stages in order, each finishing.
    const stages = progress.map((p) => p.stage).filter((s, i, a) => a[i - 1] !== s);
    assert.deepEqual(stages, ['upload-training', 'upload-validation', 'processing', 'creating']);
    assert.equal(progress.filter((p) => p.stage === 'upload-training').at(-1)!.fraction, 1);
    assert.match(progress.at(-1)!.message, new RegExp(job.id));
    const create = em.requests().filter((r) => r.method === 'POST' && r.path === '/fine_tuning/jobs');
    assert.equal(
      create.at(-1)!.idempotencyKey,
      launchId,
      'the create carries the launch id as Idempotency-Key',
    );
  });

  test('large files go through the uploads API in parts, content intact', async () => {
    const progress: LaunchProgress[] = [];
    const job = await launchJob(resolved, {
      client,
      launchId: randomUUID(),
      onProgress: (p) => progress.push(p),
      uploadsThresholdBytes: 1024,
      partSizeBytes: 4096,
      ...fast,
    });
    const parts = em.requests().filter((r) => r.path.endsWith('/parts'));
    const trainingBytes = (await readFile(resolved.trainingFile)).length;
    assert.ok(parts.length >= Math.ceil(trainingBytes / 4096), `parts sent: ${parts.length}`);
    const fractions = progress.filter((p) => p.stage === 'upload-training').map((p) => p.fraction!);
    assert.deepEqual(
      fractions,
      [...fractions].sort((a, b) => a - b),
      'progress only grows',
    );
    assert.ok(fractions.length > 3 && fractions.at(-1) === 1);
    const content = Buffer.from(await (await client.files.content(job.validation_file!)).arrayBuffer());
    assert.ok(content.equals(await readFile(resolved.validationFile)));
  });

  test('create response dropped: exactly one job, found by its launch id instead of creating another', async () => {
    const launchId = randomUUID();
    em.addFault({ path: '/fine_tuning/jobs', method: 'POST', kind: 'drop', count: 1 });
    const job = await launchJob(resolved, { client, launchId, ...fast });
    const jobs = await jobsWithLaunch(launchId);
    assert.equal(jobs.length, 1);
    assert.equal(jobs[0]!.id, job.id);
    const creates = em
      .requests()
      .filter((r) => r.method === 'POST' && r.path === '/fine_tuning/jobs' && r.idempotencyKey === launchId);
    assert.equal(creates.length, 1, 'the lookup found the job, so no second create was sent');
  });

  test('create fails with 500 then 429: retried (with the same key) and still one job', async () => {
    const launchId = randomUUID();
    em.addFault({ path: '/fine_tuning/jobs', method: 'POST', kind: '500', count: 1 });
    em.addFault({ path: '/fine_tuning/jobs', method: 'POST', kind: '429', count: 1, retryAfter: 0 });
    const job = await launchJob(resolved, { client, launchId, ...fast });
    assert.equal((await jobsWithLaunch(launchId)).length, 1);
    const creates = em
      .requests()
      .filter((r) => r.method === 'POST' && r.path === '/fine_tuning/jobs' && r.idempotencyKey === launchId);
    assert.deepEqual(
      creates.map((r) => r.status),
      [500, 429, 200],
    );
    assert.equal(job.status, 'validating_files');
  });

  test('the SDK retrying on its own after a dropped response gets the same job (Idempotency-Key)', async () => {
    const f = await client.files.create({
      file: await OpenAI.toFile(await readFile(resolved.trainingFile), 't.jsonl'),
      purpose: 'fine-tune',
    });
    await client.files.waitForProcessing(f.id, { pollInterval: 10 });
    const key = randomUUID();
    em.addFault({ path: '/fine_tuning/jobs', method: 'POST', kind: 'drop', count: 1 });
    const retrying = createClient(
      { id: 'e', kind: 'compatible', label: 'Emulator', baseURL: em.url, auth: 'apiKey' },
      { apiKey: 'k' },
      { maxRetries: 2 },
    );
    const job = await retrying.fineTuning.jobs.create(
      {
        model: 'o4-mini-2025-04-16',
        training_file: f.id,
        validation_file: f.id,
        method: { type: 'reinforcement', reinforcement: { grader: resolved.grader as never } },
        metadata: { [LAUNCH_METADATA_KEY]: key },
      },
      { headers: { 'Idempotency-Key': key } },
    );
    const jobs = await jobsWithLaunch(key);
    assert.deepEqual(
      jobs.map((j) => j.id),
      [job.id],
    );
    const creates = em.requests().filter((r) => r.idempotencyKey === key);
    assert.deepEqual(
      creates.map((r) => r.status),
      [0, 200],
      'the first response was lost, the retry replayed it',
    );
  });

  test('every attempt lost: a last lookup still finds the job the final attempt created', async () => {
    const launchId = randomUUID();
    em.addFault({ path: '/fine_tuning/jobs', method: 'POST', kind: 'reset', count: 1 });
    em.addFault({ path: '/fine_tuning/jobs', method: 'POST', kind: 'drop', count: 1 });
    const job = await launchJob(resolved, { client, launchId, maxCreateAttempts: 2, ...fast });
    assert.deepEqual(
      (await jobsWithLaunch(launchId)).map((j) => j.id),
      [job.id],
    );
    em.addFault({ path: '/fine_tuning/jobs', method: 'POST', kind: 'reset', count: 2 });
    const gone = randomUUID();
    const e = await launchJob(resolved, { client, launchId: gone, maxCreateAttempts: 2, ...fast }).catch(
      (x: unknown) => x,
    );
    assert.equal(
      describeApiError(e).code,
      'connection_error',
      'nothing was created, so the network error is reported',
    );
    assert.equal((await jobsWithLaunch(gone)).length, 0);
  });

  test('403 training_not_available after the uploads: one attempt, plain message', async () => {
    em.addFault({ path: '/fine_tuning/jobs', method: 'POST', kind: 'training_not_available', count: 1 });
    const launchId = randomUUID();
    const e = await launchJob(resolved, { client, launchId, ...fast }).catch((x: unknown) => x);
    const info = describeApiError(e);
    assert.equal(info.trainingNotAvailable, true);
    assert.match(info.message, /no longer lets this organisation create fine-tuning jobs/);
    assert.equal(em.requests().filter((r) => r.idempotencyKey === launchId).length, 1);
    assert.equal((await jobsWithLaunch(launchId)).length, 0);
  });

  test('a file that fails processing stops the launch before any job is created', async () => {
    const broken = path.join(dir, 'broken.jsonl');
    await writeFile(broken, '{"messages": [\n');
    const e = await launchJob(
      { ...resolved, trainingFile: broken },
      { client, launchId: randomUUID(), ...fast },
    ).catch((x: unknown) => x);
    assert.ok(e instanceof LaunchError);
    assert.equal(e.stage, 'processing');
    assert.match(
      e.message,
      /broken\.jsonl .* failed processing: Invalid file format: line 1 is not valid JSON/,
    );
  });

  test('a missing dataset and a cancelled launch fail cleanly', async () => {
    const missing = await launchJob(
      { ...resolved, trainingFile: path.join(dir, 'nope.jsonl') },
      { client, launchId: randomUUID(), ...fast },
    ).catch((x: unknown) => x);
    assert.ok(missing instanceof LaunchError);
    assert.match(missing.message, /Cannot read .*nope\.jsonl/);
    const ac = new AbortController();
    ac.abort();
    const aborted = await launchJob(resolved, { client, launchId: randomUUID(), signal: ac.signal }).catch(
      (x: unknown) => x,
    );
    assert.equal((aborted as Error).name, 'AbortError');
    // Abort while waiting for processing (slow emulator): no job is created.
    const slow = await startEmulator({ speed: 0.01 });
    try {
      const c = createClient(
        { id: 's', kind: 'compatible', label: 'Slow', baseURL: slow.url, auth: 'apiKey' },
        { apiKey: 'k' },
      );
      const ac2 = new AbortController();
      const p = launchJob(resolved, {
        client: c,
        launchId: randomUUID(),
        signal: ac2.signal,
        processingPollMs: 20,
        onProgress: (pr) => pr.stage === 'processing' && ac2.abort(),
      });
      await assert.rejects(p);
      assert.equal((await c.fineTuning.jobs.list()).data.length, 0);
    } finally {
      await slow.close();
    }
  });

  test('uploads reused from an earlier attempt are not sent again', async () => {
    const uploaded: Record<string, string> = {};
    const first = await launchJob(resolved, {
      client,
      launchId: randomUUID(),
      onUploaded: (role, id) => (uploaded[role] = id),
      ...fast,
    });
    const before = em.requests().filter((r) => r.path === '/files' && r.method === 'POST').length;
    const second = await launchJob(resolved, {
      client,
      launchId: randomUUID(),
      uploaded: { training: uploaded.training, validation: uploaded.validation },
      ...fast,
    });
    assert.equal(em.requests().filter((r) => r.path === '/files' && r.method === 'POST').length, before);
    assert.equal(second.training_file, first.training_file);
    assert.notEqual(second.id, first.id);
  });
});
