// The eval runner end to end through the real `openai` SDK against the in-process emulator: a run and its
// folder, the cache on an unchanged rerun, 429 with retry-after, 500s, dropped connections, the spend limit,
// cancel, and the Responses endpoint. Model requests are counted on the emulator's side.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { loadEvalSpec } from '../../../src/core/evals/spec';
import { runEval, type EvalRunDeps } from '../../../src/core/evals/runner';
import type { EvalResultRow } from '../../../src/core/evals/types';
import { useEmulator } from '../emulator/useEmulator';
import { COUNTDOWN_DATA, REPO, modelRequests, workspace } from './evalKit';

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

const fast = { maxAttempts: 4, backoffMs: 5 };
const ITEMS = readFileSync(COUNTDOWN_DATA, 'utf8')
  .split('\n')
  .filter((l) => l.trim()).length;
/** Items × 2 samples × 2 candidates. */
const N = ITEMS * 4;

describe('eval runner', () => {
  test('a run samples every item K times per candidate, grades locally and writes the run folder', async () => {
    const { root, specPath } = workspace();
    const spec = await loadEvalSpec(specPath);
    const before = modelRequests(h.em);
    const progress: number[] = [];
    const r = await runEval(spec, deps(), { root, online: fast, onProgress: (p) => progress.push(p.done) });
    assert.equal(modelRequests(h.em) - before, N);
    assert.equal(r.manifest.status, 'completed');
    assert.deepEqual(r.manifest.counts, {
      requests: N,
      cached: 0,
      failed: 0,
      spent_usd: r.manifest.counts.spent_usd,
    });
    assert.ok(r.manifest.counts.spent_usd! > 0);
    assert.deepEqual(readdirSync(r.dir).sort(), [
      'results.jsonl',
      'run.json',
      'spec.json',
      'summary.json',
      'summary.md',
    ]);
    const all = rows(r.dir);
    assert.equal(all.length, N);
    for (const row of all) {
      assert.ok(row.reward === 0 || row.reward === 1, `reward ${row.reward}`);
      assert.deepEqual(Object.keys(row.graders), ['solved']);
      assert.equal(row.cached, false);
      assert.match(row.request, /^[0-9a-f]{64}$/);
      assert.ok(row.usage && row.usage.input_tokens > 0);
    }
    // The emulator's fine-tuned ids solve the Countdown task more often than the base model.
    const mean = (c: string) => {
      const r2 = all.filter((x) => x.candidate === c);
      return r2.reduce((a, x) => a + (x.reward ?? 0), 0) / r2.length;
    };
    assert.ok(mean('tuned') > mean('base'), `tuned ${mean('tuned')} vs base ${mean('base')}`);
    // Seeds differ per sample, so the two samples of an item are distinct requests with their own answers.
    const keys = new Set(all.map((x) => x.request));
    assert.equal(keys.size, N);
    assert.equal(progress.at(-1), N);
    const summary = JSON.parse(readFileSync(join(r.dir, 'summary.json'), 'utf8')) as {
      candidates: Array<{ label: string }>;
    };
    assert.deepEqual(summary.candidates.map((c) => c.label).sort(), ['base', 'tuned']);
    const resolved = JSON.parse(readFileSync(join(r.dir, 'spec.json'), 'utf8')) as {
      graders: unknown[];
      response_format: unknown;
    };
    assert.equal((resolved.graders[0] as { type: string }).type, 'string_check');
    assert.equal(typeof resolved.response_format, 'object');
  });

  test('an unchanged rerun makes a new folder, sends no model request and gives the same rewards', async () => {
    const { root, specPath } = workspace();
    const spec = await loadEvalSpec(specPath);
    const first = await runEval(spec, deps(), { root, online: fast });
    const before = modelRequests(h.em);
    const second = await runEval(await loadEvalSpec(specPath), deps(), { root, online: fast });
    assert.equal(modelRequests(h.em), before, 'no model request on the rerun');
    assert.notEqual(second.dir, first.dir);
    assert.equal(second.resumed, false, 'a completed run is not resumed');
    assert.deepEqual(second.manifest.counts, { requests: 0, cached: N, failed: 0, spent_usd: 0 });
    const key = (x: EvalResultRow) => `${x.candidate} ${x.item} ${x.sample}`;
    const a = new Map(rows(first.dir).map((x) => [key(x), x.reward]));
    const b = rows(second.dir);
    assert.ok(b.every((x) => x.cached));
    assert.deepEqual(new Map(b.map((x) => [key(x), x.reward])), a);
  });

  test('429s with retry-after are waited out and never lose an item', async () => {
    const { root, specPath } = workspace({ limits: { max_concurrency: 4 } });
    h.em.addFault({ kind: '429', path: '/chat/completions', count: 12, retryAfterMs: 20 });
    try {
      const before = modelRequests(h.em, { status: 429 });
      const r = await runEval(await loadEvalSpec(specPath), deps(), { root, online: fast });
      assert.equal(modelRequests(h.em, { status: 429 }) - before, 12);
      assert.equal(r.manifest.status, 'completed');
      assert.equal(r.manifest.counts.failed, 0);
      assert.equal(rows(r.dir).length, N);
      assert.equal(r.retries?.rateLimited, 12);
    } finally {
      h.em.clearFaults();
    }
  });

  test('500s and dropped connections are retried; a request failing past the attempts becomes an error row', async () => {
    const { root, specPath } = workspace({ limits: { max_concurrency: 2 } });
    h.em.addFault({ kind: '500', path: '/chat/completions', count: 3, retryAfterMs: 1 });
    h.em.addFault({ kind: 'drop', path: '/chat/completions', count: 3 });
    try {
      const r = await runEval(await loadEvalSpec(specPath), deps(), {
        root,
        online: { ...fast, maxAttempts: 8 },
      });
      assert.equal(r.manifest.counts.failed, 0);
      assert.equal(rows(r.dir).length, N);
      assert.equal(r.retries?.serverErrors, 6);
    } finally {
      h.em.clearFaults();
    }
    const again = workspace({ limits: { max_concurrency: 1 }, limit: 2 });
    h.em.addFault({ kind: '500', path: '/chat/completions', count: 4, retryAfterMs: 1 });
    try {
      const r = await runEval(await loadEvalSpec(again.specPath), deps(), { root: again.root, online: fast });
      const failed = rows(r.dir).filter((x) => x.error);
      assert.equal(failed.length, 1);
      assert.equal(failed[0]!.error!.stage, 'sample');
      assert.equal(failed[0]!.error!.status, 500);
      assert.equal(failed[0]!.reward, null);
      assert.equal(r.manifest.counts.failed, 1);
      assert.equal(rows(r.dir).length, 8);
    } finally {
      h.em.clearFaults();
    }
  });

  test('the spend limit stops the run before it is exceeded', async () => {
    // o4-mini: $1.10 / $4.40 per 1M tokens; a capped request costs at most ~ (600 prompt + 100 output) tokens.
    const { root, specPath } = workspace({
      limits: { max_concurrency: 2, max_spend_usd: 0.01 },
      candidates: [
        { label: 'base', model: 'o4-mini-2025-04-16', seed: 1, max_output_tokens: 100 },
        {
          label: 'tuned',
          model: 'ft:o4-mini-2025-04-16:org:countdown:abc123',
          seed: 1,
          max_output_tokens: 100,
        },
      ],
    });
    const before = modelRequests(h.em);
    const r = await runEval(await loadEvalSpec(specPath), deps(), { root, online: fast });
    const sent = modelRequests(h.em) - before;
    assert.equal(r.manifest.status, 'spend_limit');
    assert.ok(sent > 0 && sent < N, `${sent} requests`);
    assert.ok(r.manifest.counts.spent_usd! <= 0.01, `spent ${r.manifest.counts.spent_usd}`);
    assert.equal(rows(r.dir).length, sent);
  });

  test('cancel stops cleanly with status cancelled, and the next run resumes it without repeating a request', async () => {
    const { root, specPath } = workspace({ limits: { max_concurrency: 2 } });
    const ac = new AbortController();
    const before = modelRequests(h.em, { status: 200 });
    const r = await runEval(await loadEvalSpec(specPath), deps(), {
      root,
      online: fast,
      signal: ac.signal,
      onProgress: (p) => {
        if (p.done >= 10) ac.abort();
      },
    });
    assert.equal(r.manifest.status, 'cancelled');
    const answered = modelRequests(h.em, { status: 200 }) - before;
    const written = rows(r.dir).length;
    assert.ok(written >= 10 && written < N);
    // Every request whose answer arrived before the cancel was cached: the resume asks only for the rest. (An answer
    // still on the wire when the run was cancelled never arrived, so it is asked again.)
    const cachedEntries = readdirSync(join(root, '.rft/cache/evals'), { recursive: true }).filter((f) =>
      String(f).endsWith('.json'),
    ).length;
    assert.ok(
      cachedEntries >= written && cachedEntries <= answered,
      `${cachedEntries} cached, ${written} written, ${answered} answered`,
    );
    const mid = modelRequests(h.em, { status: 200 });
    const resumed = await runEval(await loadEvalSpec(specPath), deps(), { root, online: fast });
    assert.equal(resumed.resumed, true);
    assert.equal(resumed.dir, r.dir);
    assert.equal(resumed.manifest.status, 'completed');
    const all = rows(r.dir);
    assert.equal(all.length, N);
    assert.equal(new Set(all.map((x) => `${x.candidate} ${x.item} ${x.sample}`)).size, N);
    assert.equal(modelRequests(h.em, { status: 200 }) - mid, N - cachedEntries);
  });

  test('a candidate with api "responses" samples through /v1/responses with text.format', async () => {
    const { root, specPath } = workspace({
      limit: 3,
      candidates: [
        { label: 'base', model: 'o4-mini-2025-04-16', api: 'responses' },
        { label: 'tuned', model: 'ft:o4-mini-2025-04-16:org:countdown:abc123', api: 'responses' },
      ],
    });
    const before = h.em.requests().filter((x) => x.path.endsWith('/responses')).length;
    const r = await runEval(await loadEvalSpec(specPath), deps(), { root, online: fast });
    assert.equal(h.em.requests().filter((x) => x.path.endsWith('/responses')).length - before, 12);
    const all = rows(r.dir);
    assert.equal(all.length, 12);
    assert.ok(
      all.every((x) => x.graders.solved && x.graders.solved.errors.length === 0),
      JSON.stringify(all[0]),
    );
  });
  test('seeded samples of one item differ, and an ft:BASE id of any BASE samples without a job', async () => {
    const { root, specPath } = workspace({
      limit: 6,
      samples_per_item: 3,
      candidates: [
        { label: 'base', model: 'gpt-4o-2024-08-06', seed: 11 },
        { label: 'tuned', model: 'ft:gpt-4o-2024-08-06:acme::never-trained', seed: 11 },
      ],
    });
    const r = await runEval(await loadEvalSpec(specPath), deps(), { root, online: fast });
    const all = rows(r.dir);
    assert.equal(all.length, 36);
    assert.ok(all.every((x) => !x.error));
    const distinct = new Set(all.filter((x) => x.candidate === 'tuned').map((x) => `${x.item} ${x.output}`));
    assert.ok(distinct.size > 6, `only ${distinct.size} distinct outputs over 6 items × 3 samples`);
  });
  test("a refused key or unknown model fails that candidate with the provider's message, without asking again", async () => {
    const { root, specPath } = workspace({ limits: { max_concurrency: 1 } });
    // The first request (base, item 0, sample 0: one at a time) is refused with a 403.
    h.em.addFault({ kind: 'training_not_available', path: '/chat/completions', count: 1 });
    try {
      const before = modelRequests(h.em);
      const r = await runEval(await loadEvalSpec(specPath), deps(), { root, online: fast });
      const all = rows(r.dir);
      assert.equal(all.length, N);
      const failed = all.filter((x) => x.error);
      assert.equal(failed.length, N / 2);
      assert.ok(failed.every((x) => x.candidate === 'base' && x.error!.status === 403));
      assert.match(failed.at(-1)!.error!.message, /^not sent: .*fine-tuning/);
      assert.equal(modelRequests(h.em) - before, N / 2 + 1);
    } finally {
      h.em.clearFaults();
    }
  });
  test("the demo's score_model grader grades through the candidate's client: the fine-tuned id scores higher", async () => {
    const { root, specPath } = workspace({
      graders: [join(REPO, 'demo/graders/countdown.grader.json'), 'solved.grader.json'],
      samples_per_item: 4,
    });
    const spec = await loadEvalSpec(specPath);
    assert.deepEqual(
      spec.graders.map((g) => g.name),
      ['countdown', 'solved'],
    );
    const before = modelRequests(h.em);
    const r = await runEval(spec, deps(), { root, online: fast });
    const all = rows(r.dir);
    assert.equal(all.length, ITEMS * 8);
    // One sampling call per sample, and a grader call per distinct answer (the engine caches identical ones).
    const sent = modelRequests(h.em) - before;
    assert.ok(sent > ITEMS * 8 && sent <= ITEMS * 16, `${sent} requests`);
    for (const x of all) {
      assert.deepEqual(x.graders.countdown!.errors, [], JSON.stringify(x.graders));
      assert.equal(x.reward, x.graders.countdown!.reward);
    }
    const mean = (c: string) => {
      const r2 = all.filter((x) => x.candidate === c);
      return r2.reduce((a, x) => a + (x.reward ?? 0), 0) / r2.length;
    };
    assert.ok(mean('tuned') > mean('base') + 0.1, `tuned ${mean('tuned')} vs base ${mean('base')}`);
  });
  test('a python grader runs in the sandbox when the run allows python, and raises its error flag when not', async () => {
    const python = {
      type: 'python' as const,
      name: 'py_solved',
      source:
        'def grade(sample, item):\n    out = sample.get("output_json") or {}\n    return 1.0 if out.get("result") == item["target"] else 0.0\n',
    };
    const { root, specPath } = workspace({ graders: [python, 'solved.grader.json'], limit: 5 });
    const spec = await loadEvalSpec(specPath);
    const r = await runEval(
      spec,
      { ...deps(), grading: { python: { allow: true, timeoutMs: 20_000 } } },
      { root, online: fast },
    );
    const all = rows(r.dir);
    assert.equal(all.length, 20);
    for (const x of all) {
      assert.deepEqual(x.graders.py_solved!.errors, [], JSON.stringify(x.graders));
      assert.equal(x.graders.py_solved!.reward, x.graders.solved!.reward);
    }
    const refused = await runEval(await loadEvalSpec(specPath), deps(), {
      root,
      online: fast,
      resume: false,
    });
    assert.equal(refused.manifest.counts.cached, 20);
    assert.ok(rows(refused.dir).every((x) => x.reward === 0 && x.graders.py_solved!.errors.length > 0));
  });
});
