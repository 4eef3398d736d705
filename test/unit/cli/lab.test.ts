// `rft-studio lab`: the Grader Lab headless, on the demo's EuroVoc example (the Build Hour's F1 grader against an F2
// variant, both python multi graders): the same verdicts and recommendation the editor's Lab shows.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { runCli } from '../../../src/cli/app';

const demo = path.resolve(__dirname, '../../../demo');

async function lab(args: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(['lab', ...args], {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    cwd: demo,
    env: { PATH: process.env.PATH },
    signal: new AbortController().signal,
  });
  return { code, out, err };
}

const EUROVOC = [
  '--grader',
  'lab/eurovoc_f1.grader.json',
  '--grader',
  'lab/eurovoc_f2.grader.json',
  '--data',
  'lab/eurovoc_demo.jsonl',
  '--samples',
  'lab/eurovoc_samples.jsonl',
  '--response-format',
  'lab/eurovoc.response_format.json',
];
const sandboxed = spawnSync('bwrap', ['--version']).status === 0;

describe('rft-studio lab', () => {
  test(
    'EuroVoc: both graders teach; F2 pays "every label at once", so F1 is preferred',
    { skip: !sandboxed && 'needs bubblewrap (installed by npm test)' },
    async () => {
      const r = await lab([...EUROVOC, '--allow-python', '--reporter', 'json']);
      assert.equal(r.code, 0, r.err);
      const report = JSON.parse(r.out) as {
        analysis: { graders: { label: string; signal: { verdict: string; items: number } }[] };
        probes: { graderId: string; title: string; exploitable: boolean }[];
        recommendation: { best?: string; text: string };
      };
      assert.deepEqual(
        report.analysis.graders.map((g) => [g.label, g.signal.verdict, g.signal.items]),
        [
          ['level1_f1_multi', 'promising', 12],
          ['level1_f2_multi', 'promising', 12],
        ],
      );
      assert.match(
        report.recommendation.text,
        /^Prefer level1_f1_multi: .*pays "Every label at once" 0\.422/,
      );
      const text = await lab([...EUROVOC, '--allow-python']);
      assert.match(text.out, /level1_f2_multi: promising — mean 0\.729, 2\/12 items flat, errors 0%/);
      assert.match(text.out, /probe "Every label at once" is paid 0\.422/);
    },
  );

  test('without --allow-python the python graders are not run, and it says so', async () => {
    const r = await lab(EUROVOC);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /python graders are not run without --allow-python/);
    assert.doesNotMatch(r.err, /workspace/);
    assert.match(r.out, /errors 100%/);
  });

  test('usage errors: no grader, a missing file, a bad threshold', async () => {
    assert.equal((await lab(['--data', 'x', '--samples', 'y'])).code, 2);
    const missing = await lab([
      '--grader',
      'lab/nope.json',
      '--data',
      'lab/eurovoc_demo.jsonl',
      '--samples',
      'lab/eurovoc_samples.jsonl',
    ]);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /nope\.json/);
    const bad = await lab([...EUROVOC, '--threshold', '2']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--threshold must be a number from 0 to 1/);
  });
});
