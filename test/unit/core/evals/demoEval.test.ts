// The demo's promise (#13 "Done when"): on the emulator, without a key, the demo eval and the spec "Evaluate
// against base model" writes for the succeeded demo job both show the fine-tuned model significantly better than
// the base, through the real runner and the openai SDK; and an unchanged rerun costs nothing and gives the same
// numbers.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { cpSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type OpenAI from 'openai';
import { loadEvalSpec } from '../../../../src/core/evals/spec';
import { runEval } from '../../../../src/core/evals/runner';
import type { JobForEval } from '../../../../src/core/evals/specFromJob';
import {
  localFilesOf,
  samplesPerItemFor,
  specFromJob,
  writeSpecFromJob,
} from '../../../../src/core/evals/specFromJob';
import type { EvalReport } from '../../../../src/core/evals/types';
import { parseJobSpec, resolveJobSpec } from '../../../../src/core/jobs/jobSpec';
import { launchJob } from '../../../../src/core/jobs/launch';
import { createClient } from '../../../../src/core/providers';
import type { Emulator } from '../../../../src/emulator/server';
import { startEmulator } from '../../../../src/emulator/server';
import { tempDir } from '../../../lib/tempFiles';
import { waitFor } from '../../../lib/waitFor';

let em: Emulator;
let client: OpenAI;
let root: string;

before(async () => {
  em = await startEmulator({ speed: 400 });
  client = createClient(
    { id: 'e', kind: 'compatible', label: 'Emulator', baseURL: em.url, auth: 'apiKey' },
    { apiKey: 'sk-demo-eval' },
  );
  // A copy of the demo workspace: runs and the request cache are written under its .rft/.
  root = tempDir('rft-demo-eval-');
  cpSync(path.resolve(__dirname, '../../../../demo'), root, { recursive: true });
});
after(() => em.close());

async function run(specPath: string) {
  return runEval(
    await loadEvalSpec(specPath),
    { clientFor: () => ({ client, kind: 'compatible' }) },
    { root },
  );
}

function assertTunedSignificantlyBetter(report: EvalReport | undefined): void {
  assert.ok(report, 'no report');
  const mean = (l: string) => report.candidates.find((c) => c.label === l)!.mean;
  const cmp = report.comparisons.find((c) => c.a === 'tuned' && c.b === 'base');
  assert.ok(cmp, `no tuned-vs-base comparison: ${JSON.stringify(report.comparisons)}`);
  assert.ok(mean('tuned') > mean('base'), `tuned ${mean('tuned')} not above base ${mean('base')}`);
  assert.ok(cmp.difference > 0 && cmp.ci[0] > 0, `difference ${cmp.difference}, CI ${cmp.ci.join('..')}`);
  assert.ok(cmp.p_value < 0.01, `Wilcoxon p = ${cmp.p_value}`);
  assert.ok(cmp.sign_test_p_value < 0.01, `sign test p = ${cmp.sign_test_p_value}`);
  assert.ok(cmp.wins > cmp.losses * 4, `wins ${cmp.wins}, losses ${cmp.losses}`);
  for (const c of report.candidates) assert.equal(c.errors, 0, `${c.label} had errors`);
}

describe('the demo eval on the emulator', () => {
  test('demo/evals/countdown.rfteval.json: tuned significantly better than base; a rerun is free and identical', async () => {
    const spec = path.join(root, 'evals', 'countdown.rfteval.json');
    const first = await run(spec);
    assert.equal(first.manifest.status, 'completed');
    assert.equal(first.manifest.counts.requests, 15 * 8 * 2);
    const before = em.requests().length;
    assertTunedSignificantlyBetter(first.report);
    const rows = readFileSync(path.join(first.dir, 'results.jsonl'), 'utf8').trim().split('\n');
    assert.equal(rows.length, 15 * 8 * 2);

    const again = await run(spec);
    assert.deepEqual(
      em.requests().slice(before),
      [],
      'an unchanged rerun sends nothing (samples and model grader)',
    );
    assert.notEqual(again.dir, first.dir, 'a rerun writes a new folder');
    assert.equal(again.manifest.counts.cached, 240);
    assert.equal(again.manifest.counts.spent_usd ?? 0, 0);
    assert.deepEqual(
      again.report!.candidates.map((c) => [c.label, c.mean, c.ci]),
      first.report!.candidates.map((c) => [c.label, c.mean, c.ci]),
    );
    assert.deepEqual(again.report!.comparisons, first.report!.comparisons);
  });

  test('"Evaluate against base model" on the succeeded demo job writes a spec that shows the same', async () => {
    const jobSpecPath = path.join(root, 'jobs', 'countdown.rftjob.json');
    const resolved = await resolveJobSpec(
      parseJobSpec(readFileSync(jobSpecPath, 'utf8')).spec!,
      jobSpecPath,
      async (p) => readFileSync(p, 'utf8'),
    );
    const created = await launchJob(resolved, {
      client,
      launchId: randomUUID(),
      processingPollMs: 10,
      retryBaseMs: 10,
    });
    const job = await waitFor(
      'the demo job to succeed',
      async () => {
        const j = await client.fineTuning.jobs.retrieve(created.id);
        return j.status === 'succeeded' && j;
      },
      60_000,
    );
    const made = specFromJob(job as unknown as JobForEval, {
      local: localFilesOf(resolved),
      fallbackDir: path.join(root, 'evals'),
      samplesPerItem: samplesPerItemFor(15),
    });
    const file = await writeSpecFromJob(made);
    assert.equal(path.dirname(file), path.join(root, 'jobs', 'evals'));
    const result = await run(file);
    assert.equal(result.manifest.status, 'completed');
    assert.equal(result.report!.candidates[1]!.model, job.fine_tuned_model);
    assertTunedSignificantlyBetter(result.report);
  });
});
