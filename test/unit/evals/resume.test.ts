// Resume after a kill: a run in a child process is SIGKILLed mid-way; the next run of the same spec resumes its
// folder, drops a line the kill may have torn, and asks the emulator only for the requests not finished before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { loadEvalSpec } from '../../../src/core/evals/spec';
import { runEval } from '../../../src/core/evals/runner';
import type { EvalResultRow } from '../../../src/core/evals/types';
import { useEmulator } from '../emulator/useEmulator';
import { REPO, modelRequests, workspace } from './evalKit';

const h = useEmulator({ speed: 1000 });

function lines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

test('a run killed mid-way resumes without repeating any finished request', async () => {
  const { root, specPath } = workspace({ limits: { max_concurrency: 4 } }, 20);
  const total = 15 * 20 * 4;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(__dirname, 'runChild.ts'), specPath, root, h.em.url],
    {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // Kill it once a few hundred rows are written (well before the end).
  let runDir: string | undefined;
  for (let i = 0; i < 3000; i++) {
    await new Promise((r) => setTimeout(r, 10));
    const evals = join(root, '.rft/evals');
    const name = existsSync(evals) ? readdirSync(evals)[0] : undefined;
    runDir = name ? join(evals, name) : undefined;
    if (runDir && lines(join(runDir, 'results.jsonl')).length >= 200) break;
  }
  child.kill('SIGKILL');
  assert.equal(await exited, null, `the child ended before the kill: ${stderr}`);
  assert.ok(runDir);
  const results = join(runDir, 'results.jsonl');
  const writtenBefore = lines(results).length;
  assert.ok(writtenBefore >= 200 && writtenBefore < total, `${writtenBefore} rows at the kill`);
  // A torn last line, as a kill in the middle of a write leaves it.
  appendFileSync(results, '{"item": 3, "candid');
  const cachedAtKill = readdirSync(join(root, '.rft/cache/evals'), { recursive: true }).filter((f) =>
    String(f).endsWith('.json'),
  ).length;
  assert.ok(cachedAtKill >= writtenBefore);

  const before = modelRequests(h.em, { status: 200 });
  const client = new OpenAI({ baseURL: h.em.url, apiKey: 'k', maxRetries: 0 });
  const r = await runEval(
    await loadEvalSpec(specPath),
    { clientFor: () => ({ client, kind: 'emulator' }) },
    { root },
  );
  assert.equal(r.resumed, true);
  assert.equal(r.dir, runDir);
  assert.equal(r.manifest.status, 'completed');
  // Only what was not finished is asked again: every cached answer is free.
  assert.equal(modelRequests(h.em, { status: 200 }) - before, total - cachedAtKill);
  const rows = lines(results).map((l) => JSON.parse(l) as EvalResultRow);
  assert.equal(rows.length, total);
  assert.equal(new Set(rows.map((x) => `${x.candidate} ${x.item} ${x.sample}`)).size, total);
  assert.equal(r.manifest.counts.failed, 0);
});
