// `rft-studio test` in-process: exit codes, the reporters, the JUnit output validated against Jenkins' junit-10.xsd
// (test/fixtures/junit) with libxml2 (xmllint-wasm), XML escaping, and model-grader cases against the emulator.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { validateXML } from 'xmllint-wasm';
import { runCli } from '../../../src/cli/app';
import type { CliIO } from '../../../src/cli/command';
import { renderJUnit, evalGatesJUnit } from '../../../src/cli/reporters/junit';
import { startEmulator, type Emulator } from '../../../src/emulator/server';
import { tempDir } from '../../lib/tempFiles';

const root = join(__dirname, '../../..');
const xsd = readFileSync(join(root, 'test/fixtures/junit/junit-10.xsd'), 'utf8');
const dir = tempDir('rft-testcmd-');
// A copy of the demo's graders and grader tests (the countdown ones need a model: the emulator's judge).
cpSync(join(root, 'demo/graders'), join(dir, 'demo'), { recursive: true });

async function cli(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    cwd: opts.cwd ?? dir,
    env: { PATH: process.env.PATH, ...opts.env },
    signal: new AbortController().signal,
  };
  const code = await runCli(['test', ...args], io);
  return { code, out: out.join(''), err: err.join('') };
}

async function assertValidJUnit(xml: string) {
  const r = await validateXML({
    xml: [{ fileName: 'report.xml', contents: xml }],
    schema: [{ fileName: 'junit-10.xsd', contents: xsd }],
  });
  assert.deepEqual(
    r.errors.map((e) => e.rawMessage),
    [],
    xml,
  );
  assert.equal(r.valid, true);
}

const eq = {
  name: 'eq',
  type: 'string_check',
  input: '{{ sample.output_text }}',
  reference: '{{ item.a }}',
  operation: 'eq',
};
mkdirSync(join(dir, 'own/node_modules/pkg'), { recursive: true });
writeFileSync(join(dir, 'own/eq.grader.json'), JSON.stringify(eq));
const ok = (name: string, out: string) =>
  JSON.stringify({
    name,
    grader: 'eq.grader.json',
    item: { a: 'x' },
    sample: { output_text: out },
    expect: { reward: 1 },
  });
writeFileSync(join(dir, 'own/pass.gradertest.jsonl'), `${ok('one', 'x')}\n${ok('two', 'x')}\n`);
writeFileSync(join(dir, 'own/node_modules/pkg/ignored.gradertest.jsonl'), `${ok('never run', 'y')}\n`);

describe('rft-studio test', () => {
  let em: Emulator;
  before(async () => {
    em = await startEmulator({});
  });
  after(async () => {
    await em.close();
  });

  it('exits 0 when every case passes, and skips node_modules when searching folders', async () => {
    const r = await cli([], { cwd: join(dir, 'own') });
    assert.equal(r.code, 0, r.err + r.out);
    assert.match(r.out, /2 passed, 0 failed, 0 errored · 2 case\(s\) in 1 file\(s\)/);
    assert.doesNotMatch(r.out, /never run/);
  });

  it('exits 1 on the demo: the deliberately failing case fails, with expected vs actual and file:line', async () => {
    const r = await cli(['demo/toy_sentiment.gradertest.jsonl', 'demo/clause_matching.gradertest.jsonl']);
    assert.equal(r.code, 1);
    assert.match(
      r.out,
      /✘ demo\/toy_sentiment\.gradertest\.jsonl:4 {2}a lowercase label still counts as right\n {4}expected reward 1, got 0\.875/,
    );
    assert.match(r.out, /8 passed, 1 failed, 0 errored/);
  });

  it('prints the JSON report', async () => {
    const r = await cli(['demo/toy_sentiment.gradertest.jsonl', '--reporter', 'json']);
    const report = JSON.parse(r.out) as {
      results: Array<{
        file: string;
        line: number;
        name: string;
        status: string;
        expected: string;
        reward: number | null;
      }>;
      summary: Record<string, number>;
    };
    assert.deepEqual(report.summary, { files: 1, cases: 5, passed: 4, failed: 1, errored: 0 });
    const failed = report.results.find((x) => x.status === 'failed')!;
    assert.deepEqual(
      [failed.file, failed.line, failed.expected, failed.reward],
      ['demo/toy_sentiment.gradertest.jsonl', 4, 'reward 1', 0.875],
    );
  });

  it('runs model-grader cases through --base-url (the emulator judges the countdown expressions)', async () => {
    const r = await cli(['demo/countdown.gradertest.jsonl', '--base-url', em.url, '--reporter', 'json'], {
      env: { OPENAI_API_KEY: 'test' },
    });
    const report = JSON.parse(r.out) as { results: Array<{ status: string; reward: number }> };
    assert.deepEqual(
      report.results.map((x) => [x.status, x.reward]),
      [
        ['passed', 5],
        ['passed', 1],
        ['passed', 0],
      ],
    );
    assert.equal(r.code, 0);
    const noModel = await cli(['demo/countdown.gradertest.jsonl']);
    assert.equal(noModel.code, 1);
    assert.match(noModel.out, /set OPENAI_API_KEY, or --base-url/);
  });

  it('writes JUnit XML that junit-10.xsd accepts, a suite per file and a failure with file:line', async () => {
    const r = await cli(['demo', '--reporter', 'junit']);
    assert.equal(r.code, 1);
    await assertValidJUnit(r.out);
    assert.match(r.out, /<testsuites name="rft-studio test" tests="12" failures="1" errors="3"/);
    assert.match(
      r.out,
      /<testsuite name="demo\/toy_sentiment\.gradertest\.jsonl" tests="5" failures="1" errors="0"/,
    );
    assert.match(
      r.out,
      /<testcase name="a lowercase label still counts as right" classname="demo\.toy_sentiment" time="[\d.]+">\n\s*<failure message="expected reward 1, got 0\.875 \(off by 0\.125\) \(demo\/toy_sentiment\.gradertest\.jsonl:4\)" type="RewardMismatch">demo\/toy_sentiment\.gradertest\.jsonl:4\nexpected: reward 1\nactual: {3}reward 0\.875<\/failure>/,
    );
  });

  it('escapes names and messages so the XML stays valid', async () => {
    const nasty = 'a <b> & "c" \'d\' ]]> \u0001 \ud800 tab\tnew\nline';
    const xml = renderJUnit(
      [
        {
          name: nasty,
          file: 'x & y.jsonl',
          cases: [
            {
              name: nasty,
              classname: nasty,
              time: 1e-9,
              failure: { message: nasty, type: 'T', body: nasty },
            },
            {
              name: 'ok',
              classname: 'c',
              time: 0.25,
              error: { message: 'm', type: 'E', body: '' },
              systemOut: nasty,
            },
          ],
        },
      ],
      { name: nasty },
    );
    await assertValidJUnit(xml);
    assert.match(xml, /a &lt;b&gt; &amp; &quot;c&quot; 'd' \]\]&gt; \\u0001 \\ud800 tab&#9;new&#10;line/);
    assert.match(xml, /time="0\.000"/);
    // Without the escaping the document is rejected: the check can fail.
    const raw = xml.replace('&lt;b&gt;', '<b>');
    const bad = await validateXML({
      xml: [{ fileName: 'r.xml', contents: raw }],
      schema: [{ fileName: 'j.xsd', contents: xsd }],
    });
    assert.equal(bad.valid, false);
  });

  it('writes eval gates as JUnit (what eval run --reporter junit prints)', async () => {
    const xml = evalGatesJUnit(
      [
        {
          gate: { candidate: 'tuned', mean: { min: 0.7 } },
          name: 'mean of tuned ≥ 0.7',
          passed: true,
          message: 'mean of tuned 0.81 ≥ 0.7',
        },
        {
          gate: { compare: ['tuned', 'base'], difference: { min: 0.05 } },
          name: 'tuned − base ≥ 0.05',
          passed: false,
          message: 'difference 0.02 < 0.05 (short by 0.03)',
        },
      ],
      { specPath: join(dir, 'evals/countdown.rfteval.json'), cwd: dir, run: '.rft/evals/countdown-1' },
    );
    await assertValidJUnit(xml);
    assert.match(xml, /<testsuite name="evals\/countdown\.rfteval\.json" tests="2" failures="1" errors="0"/);
    assert.match(xml, /<failure message="difference 0\.02 &lt; 0\.05 \(short by 0\.03\)" type="GateFailed">/);
  });

  it('writes failing cases as SARIF results at their line', async () => {
    const r = await cli(['demo/toy_sentiment.gradertest.jsonl', '--reporter', 'sarif']);
    const sarif = JSON.parse(r.out) as {
      runs: Array<{
        results: Array<{
          ruleId: string;
          locations: Array<{ physicalLocation: { region: { startLine: number } } }>;
        }>;
      }>;
    };
    assert.deepEqual(
      sarif.runs[0]!.results.map((x) => [x.ruleId, x.locations[0]!.physicalLocation.region.startLine]),
      [['gradertest/failed', 4]],
    );
  });

  it('exits 1 on an invalid line, and 2 on usage errors', async () => {
    writeFileSync(join(dir, 'own/bad.gradertest.jsonl'), `${ok('one', 'x')}\n{"name": 1}\n`);
    const bad = await cli(['own/bad.gradertest.jsonl']);
    assert.equal(bad.code, 1);
    assert.match(
      bad.out,
      /! own\/bad\.gradertest\.jsonl:2 {2}line 2\n {4}name must be string\. \[gradertest\/schema\]/,
    );
    const missing = await cli(['nowhere']);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /nowhere/);
    assert.doesNotMatch(missing.err, /internal error|\n {4}at /);
    assert.equal((await cli(['own', '--reporter', 'xml'])).code, 2);
    const empty = tempDir('rft-testcmd-empty-');
    const none = await cli([], { cwd: empty });
    assert.equal(none.code, 2);
    assert.match(none.err, /no \*\.gradertest\.jsonl files/);
  });
});
