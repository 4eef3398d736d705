// An eval in batch mode end to end through the real SDK against the emulator: the same rewards as the online run
// (the fake model answers a batch line as it answers the call), no online model request, the batch ids in run.json,
// and a run stopped after submitting resumed from run.json without a second batch or a repeated request.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import OpenAI from 'openai';
import { batchSamplerFor } from '../../../src/core/evals/batch/batchMode';
import { estimateEval } from '../../../src/core/evals/estimate';
import { runEval, type EvalRunDeps } from '../../../src/core/evals/runner';
import { loadEvalSpec } from '../../../src/core/evals/spec';
import type { EvalResultRow, EvalRunManifest } from '../../../src/core/evals/types';
import { useEmulator } from '../emulator/useEmulator';
import { modelRequests, workspace } from './evalKit';

const h = useEmulator({ speed: 1000 });

function deps(): EvalRunDeps {
  return {
    clientFor: () => ({
      client: new OpenAI({ baseURL: h.em.url, apiKey: 'k', maxRetries: 0 }),
      kind: 'emulator',
    }),
  };
}

function rows(dir: string): EvalResultRow[] {
  return readFileSync(join(dir, 'results.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as EvalResultRow);
}

const byRow = (all: EvalResultRow[]) =>
  new Map(all.map((r) => [`${r.candidate}/${r.item}/${r.sample}`, [r.reward, r.output] as const]));

function batchPosts(): number {
  return h.em.requests().filter((r) => r.method === 'POST' && r.path === '/batches').length;
}

const poll = { initialMs: 10, maxMs: 50 };

describe('eval in batch mode', () => {
  test('grades the batch answers locally: the same rewards as online, no online model call', async () => {
    const online = workspace();
    const onlineRun = await runEval(await loadEvalSpec(online.specPath), deps(), {
      root: online.root,
      online: { maxAttempts: 2, backoffMs: 5 },
    });
    const { root, specPath } = workspace({ mode: 'batch' });
    const spec = await loadEvalSpec(specPath);
    const calls = modelRequests(h.em);
    const batches = batchPosts();
    const r = await runEval(spec, deps(), { root, sampler: batchSamplerFor({ poll }) });
    assert.equal(modelRequests(h.em), calls, 'no online model request');
    assert.equal(batchPosts() - batches, 2, 'one batch per candidate');
    assert.equal(r.manifest.status, 'completed');
    assert.equal(r.manifest.counts.failed, 0);
    const got = rows(r.dir);
    assert.equal(got.length, rows(onlineRun.dir).length);
    assert.deepEqual(byRow(got), byRow(rows(onlineRun.dir)));
    // The same answers billed at the Batch API's half price.
    const spentOnline = onlineRun.manifest.counts.spent_usd ?? 0;
    assert.ok(spentOnline > 0, 'the online run spent nothing');
    assert.ok(
      Math.abs((r.manifest.counts.spent_usd ?? 0) - spentOnline / 2) < 1e-9,
      `${r.manifest.counts.spent_usd} vs ${spentOnline}`,
    );
    const manifest = JSON.parse(readFileSync(join(r.dir, 'run.json'), 'utf8')) as EvalRunManifest;
    assert.deepEqual(manifest.batches?.map((b) => [b.candidate, b.status]).sort(), [
      ['base', 'completed'],
      ['tuned', 'completed'],
    ]);
  });

  test('the estimate shows the batch discount: half the online cost', async () => {
    const baseUrlOf = () => h.em.url;
    const online = await estimateEval(await loadEvalSpec(workspace().specPath), { baseUrlOf });
    const batch = await estimateEval(await loadEvalSpec(workspace({ mode: 'batch' }).specPath), {
      baseUrlOf,
    });
    assert.ok(online.usd > 0);
    assert.equal(batch.calls, online.calls);
    assert.ok(Math.abs(batch.usd - online.usd / 2) < 1e-12, `${batch.usd} vs ${online.usd}`);
    assert.match(batch.summary, /half the list prices \(the Batch API discount\)/);
    assert.doesNotMatch(online.summary, /Batch API/);
  });

  test('mode "batch" in the spec is enough: the runner picks the batch sampler', async () => {
    const { root, specPath } = workspace({ mode: 'batch', samples_per_item: 1 });
    const calls = modelRequests(h.em);
    const batches = batchPosts();
    const r = await runEval(await loadEvalSpec(specPath), deps(), { root });
    assert.equal(r.manifest.status, 'completed');
    assert.equal(batchPosts() - batches, 2);
    assert.equal(modelRequests(h.em), calls);
  });

  test('a run stopped after submitting resumes its batches from run.json', async () => {
    const { root, specPath } = workspace({
      mode: 'batch',
      candidates: [
        { label: 'base', model: 'gpt-4.1-mini' },
        { label: 'tuned', model: 'ft:gpt-4.1-mini:org:x:1' },
      ],
    });
    const spec = await loadEvalSpec(specPath);
    const stop = new AbortController();
    const before = batchPosts();
    const first = await runEval(spec, deps(), {
      root,
      signal: stop.signal,
      sampler: batchSamplerFor({
        poll,
        onBatch: (b) => {
          if (b.candidate === 'tuned') stop.abort();
        },
      }),
    });
    assert.equal(first.manifest.status, 'cancelled');
    assert.equal(batchPosts() - before, 2);
    assert.equal(first.manifest.batches?.length, 2);
    const second = await runEval(spec, deps(), { root, sampler: batchSamplerFor({ poll }) });
    assert.equal(second.dir, first.dir);
    assert.equal(second.resumed, true);
    assert.equal(batchPosts() - before, 2, 'no new batch');
    assert.equal(second.manifest.status, 'completed');
    const all = rows(second.dir);
    assert.equal(new Set(all.map((x) => `${x.candidate}/${x.item}/${x.sample}`)).size, all.length);
    assert.equal(all.length, spec.items.length * spec.samplesPerItem * 2);
    assert.ok(all.every((x) => x.error === undefined));
  });
});
