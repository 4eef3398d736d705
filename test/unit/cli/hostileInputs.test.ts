// Hostile files against every `rft-studio` command, run as the real process (the CLI bundled from source):
// random and invalid bytes, UTF-16, deep nesting, long lines and tokens, many blank lines, FIFOs, folders,
// devices, formulas and templates at extreme sizes. Each run must end within 30 s with exit 1 or 2 (0 where the
// input is legal) and a message, and print no stack trace; a batch of runs must stay under 600 MB. The sizes
// are small but pathological; the big ones are in bench/.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import fc from 'fast-check';
import { lintGraderText } from '../../../src/core/graders/lint';
import { validateDatasetText } from '../../../src/core/datasets/validate';
import { tempDir } from '../../lib/tempFiles';
import { buildCliBundle } from './cliBundle';

const TIME_LIMIT_MS = 30_000;
const RSS_LIMIT_MB = 600;
const dir = tempDir('rft-hostile-');
const f = (name: string) => join(dir, name);
let runner = '';
let rssProbe = '';
let batchNo = 0;

interface Run {
  code: number | 'timeout' | null;
  out: string;
  err: string;
  ms: number;
}

/**
 * Runs argument lists in one child process (in-process runCli, one after the other: process start-up would
 * dominate otherwise). The child's peak RSS bounds every case's memory; a case past the time limit is reported
 * as a timeout, and a child killed at the batch limit names the case it was running.
 */
function runBatch(cases: { args: string[] }[]): Promise<{ results: Run[]; maxRssMb: number }> {
  const n = batchNo++;
  const casesFile = f(`cases-${n}.json`);
  const resultsFile = f(`results-${n}.json`);
  const rssFile = f(`rss-${n}`);
  writeFileSync(casesFile, JSON.stringify(cases));
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        `--max-old-space-size=${RSS_LIMIT_MB}`,
        '--require',
        rssProbe,
        runner,
        casesFile,
        resultsFile,
        dir,
        String(TIME_LIMIT_MS),
      ],
      {
        cwd: dir,
        env: { PATH: process.env.PATH, HOME: dir, RFT_RSS_FILE: rssFile },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let progress = '';
    child.stderr.on('data', (b: Buffer) => (progress = (progress + b.toString()).slice(-2000)));
    // Every case may take the time limit; more means a synchronous hang the per-case limit cannot see.
    const timer = setTimeout(() => child.kill('SIGKILL'), TIME_LIMIT_MS + cases.length * 5_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) {
        const last = progress.trim().split('\n').pop();
        reject(new Error(`runner ended with ${signal ?? code} during ${last}`));
        return;
      }
      const results = JSON.parse(readFileSync(resultsFile, 'utf8')) as Run[];
      resolve({ results, maxRssMb: Number(readFileSync(rssFile, 'utf8')) / 1024 });
    });
  });
}

const STACK = /\n\s+at .+[:(]\d+:\d+\)?|RangeError|TypeError|internal error|Maximum call stack/;

function assertContained(r: Run, args: string[], codes: readonly number[] = [1, 2]) {
  const what = `rft-studio ${args.join(' ')} (exit ${r.code}, ${r.ms} ms)\n${r.err.slice(0, 600)}`;
  assert.notEqual(r.code, 'timeout', `still running at the ${TIME_LIMIT_MS / 1000} s limit: ${what}`);
  assert.ok(codes.includes(r.code as number), `unexpected exit code: ${what}`);
  assert.ok((r.out + r.err).trim().length > 0, `no message: ${what}`);
  assert.doesNotMatch(r.err, STACK, `stack trace or crash: ${what}`);
  assert.doesNotMatch(r.out, STACK, `stack trace or crash in stdout: ${what}`);
}

/** Runs the cases in one batch and checks each, and the batch's peak memory. */
async function runAll(cases: { args: string[]; codes?: readonly number[]; message?: RegExp }[]) {
  const { results, maxRssMb } = await runBatch(cases);
  assert.equal(results.length, cases.length);
  cases.forEach((c, i) => {
    assertContained(results[i]!, c.args, c.codes);
    if (c.message)
      assert.match(results[i]!.err + results[i]!.out, c.message, `rft-studio ${c.args.join(' ')}`);
  });
  assert.ok(maxRssMb > 0 && maxRssMb < RSS_LIMIT_MB, `peak RSS ${Math.round(maxRssMb)} MB`);
}

const okLine = (i: number) =>
  JSON.stringify({ messages: [{ role: 'user', content: `Question ${i}?` }], label: i % 2 ? 'a' : 'b' });
const grader = (extra: Record<string, unknown>) =>
  JSON.stringify({
    type: 'string_check',
    name: 'g',
    input: '{{ sample.output_text }}',
    reference: 'x',
    operation: 'eq',
    ...extra,
  });
const multi = (formula: string) =>
  JSON.stringify({
    type: 'multi',
    name: 'm',
    graders: { a: JSON.parse(grader({})) as unknown },
    calculate_output: formula,
  });

/** Hostile dataset files: name → bytes. Random contents come from fast-check with a fixed seed. */
function hostileDatasets(): Record<string, Buffer> {
  const random = fc.sample(fc.uint8Array({ minLength: 1, maxLength: 4000 }), { seed: 16, numRuns: 3 });
  const lines = Array.from({ length: 20 }, (_, i) => okLine(i)).join('\n');
  return {
    'random-0.jsonl': Buffer.from(random[0]!),
    'random-1.jsonl': Buffer.from(random[1]!),
    'random-2.jsonl': Buffer.from(random[2]!),
    'latin1.jsonl': Buffer.concat([
      Buffer.from(`${lines}\n{"messages":[{"role":"user","content":"caf`),
      Buffer.from([0xe9]),
      Buffer.from('"}],"label":"a"}\n'),
    ]),
    'utf16.jsonl': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${lines}\n`, 'utf16le')]),
    'deep.jsonl': Buffer.from(
      `${okLine(0).slice(0, -1)},"x":${'['.repeat(200_000)}${']'.repeat(200_000)}}\n`,
    ),
    'deep-tools.jsonl': Buffer.from(
      `{"messages":[{"role":"user","content":"q"},{"role":"assistant","content":"a","tool_calls":${'['.repeat(100_000)}${']'.repeat(100_000)}}],"tools":${'[{"a":'.repeat(30_000)}1${'}]'.repeat(30_000)}}\n`,
    ),
    'deep-broken.jsonl': Buffer.from(`{"x":${'{"a":'.repeat(100_000)}\n`),
    'long-token.jsonl': Buffer.from(
      `${JSON.stringify({ messages: [{ role: 'user', content: 'abcdefghij'.repeat(100_000) }], label: 'a' })}\n`,
    ),
    'blank-lines.jsonl': Buffer.from(`${lines}\n${'\n'.repeat(200_000)}${lines}\n`),
    'dup-keys.jsonl': Buffer.from(
      `${lines}\n{"messages":[{"role":"user","content":"q"}],"label":"a","label":"b"}\n`,
    ),
  };
}

const LEGAL_DATASETS = ['deep.jsonl', 'dup-keys.jsonl', 'long-token.jsonl', 'blank-lines.jsonl'];

/** Hostile grader files. */
function hostileGraders(): Record<string, Buffer> {
  const terms = (n: number, op = '+') => Array.from({ length: n }, () => 'a').join(op);
  return {
    'g-random.json': Buffer.from(
      fc.sample(fc.uint8Array({ minLength: 1, maxLength: 2000 }), { seed: 7, numRuns: 1 })[0]!,
    ),
    'g-deep.json': Buffer.from(`${'['.repeat(100_000)}${']'.repeat(100_000)}`),
    'g-flat-formula.json': Buffer.from(multi(terms(10_000))),
    'g-power-formula.json': Buffer.from(multi(terms(4_000, '^'))),
    'g-paren-formula.json': Buffer.from(multi(`${'('.repeat(4_000)}a${')'.repeat(4_000)}`)),
    'g-unterminated.json': Buffer.from(
      grader({ input: '{{ sample.output_text', reference: `{{ item.${'x'.repeat(500_000)}` }),
    ),
    'g-utf16.json': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(grader({}), 'utf16le')]),
    'g-latin1.json': Buffer.concat([
      Buffer.from(grader({ reference: 'caf' }).slice(0, -20)),
      Buffer.from([0xe9]),
      Buffer.from('"}'),
    ]),
  };
}

before(async () => {
  const built = await buildCliBundle({ hostileRunner: 'test/unit/cli/hostileRunner.ts' });
  runner = join(built.dir, 'hostileRunner.js');
  rssProbe = f('rss-probe.cjs');
  // Peak memory of the whole process, written where the test reads it, however the CLI exits.
  writeFileSync(
    rssProbe,
    "process.on('exit', () => require('fs').writeFileSync(process.env.RFT_RSS_FILE, String(process.resourceUsage().maxRSS)));\n",
  );
  for (const [name, bytes] of Object.entries({ ...hostileDatasets(), ...hostileGraders() }))
    writeFileSync(f(name), bytes);
  writeFileSync(f('ok.jsonl'), `${Array.from({ length: 20 }, (_, i) => okLine(i)).join('\n')}\n`);
  writeFileSync(
    f('samples.jsonl'),
    `${Array.from({ length: 20 }, () => '{"output_text":"x"}').join('\n')}\n`,
  );
  writeFileSync(f('ok.grader.json'), grader({}));
  writeFileSync(f('map.json'), '{"a":"alpha","b":"beta"}');
  execFileSync('mkfifo', [f('fifo.jsonl')]);
  mkdirSync(f('folder.jsonl'));
});

const NOT_A_FILE = /is a (named pipe \(FIFO\)|folder|device): give a regular file/;

describe('rft-studio with hostile inputs (real process, bounded time and memory)', () => {
  test('FIFOs without a writer, folders and devices are refused up front by every command, by path', async () => {
    const cases: { args: string[]; codes?: readonly number[]; message?: RegExp }[] = [];
    for (const bad of ['fifo.jsonl', 'folder.jsonl', '/dev/zero']) {
      const ds = bad === 'folder.jsonl' ? ['stats', bad] : ['validate', bad];
      cases.push(
        { args: ds },
        { args: ['stats', bad] },
        { args: ['lint', bad] },
        { args: ['lint', 'ok.grader.json', '--data', bad] },
        { args: ['grade', '--grader', bad, '--data', 'ok.jsonl', '--samples', 'samples.jsonl'] },
        { args: ['grade', '--grader', 'ok.grader.json', '--data', bad, '--samples', 'samples.jsonl'] },
        { args: ['grade', '--grader', 'ok.grader.json', '--data', 'ok.jsonl', '--samples', bad] },
        { args: ['map', bad, '--field', 'label', '--mapping', 'map.json', '--out', 'm.jsonl'] },
        { args: ['map', 'ok.jsonl', '--field', 'label', '--mapping', bad, '--out', 'm.jsonl'] },
        { args: ['sample', bad, '--field', 'label', '--n', '2', '--out', 's.jsonl'] },
        { args: ['split', bad, '--field', 'label', '--valid-count', '2', '--out', 't.jsonl', 'v.jsonl'] },
        { args: ['jobs', 'launch', bad, '--provider-url', 'http://127.0.0.1:9'] },
      );
    }
    await runAll(cases.map((c) => ({ ...c, codes: [2], message: NOT_A_FILE })));
    // A missing file is a plain sentence too, never errno text.
    await runAll([
      { args: ['lint', 'nowhere.json'], codes: [2], message: /nowhere\.json does not exist/ },
      { args: ['stats', 'nowhere.jsonl'], codes: [2], message: /nowhere\.jsonl does not exist/ },
    ]);
  });

  test('hostile dataset files: validate, stats, sample, split, map, lint --data and grade --data', async () => {
    const cases = Object.keys(hostileDatasets()).flatMap((name) => [
      // Deep but valid lines, long tokens, blank lines and duplicate keys (warnings) are legal: 0 is right there.
      {
        args: ['validate', name],
        codes: LEGAL_DATASETS.includes(name) ? [0, 1] : [1, 2],
      },
      // stats describes whatever it can read: a file of only good lines is a clean 0.
      { args: ['stats', name], codes: [0, 1, 2] },
      {
        args: ['sample', name, '--field', 'label', '--n', '2', '--out', `s-${name}`, '--force'],
        codes: [0, 1, 2],
      },
      {
        args: [
          'split',
          name,
          '--field',
          'label',
          '--valid-count',
          '2',
          '--out',
          `t-${name}`,
          `v-${name}`,
          '--force',
        ],
        codes: [0, 1, 2],
      },
      {
        args: ['map', name, '--field', 'label', '--mapping', 'map.json', '--out', `m-${name}`, '--force'],
        codes: [0, 1, 2],
      },
      { args: ['lint', 'ok.grader.json', '--data', name], codes: [0, 1, 2] },
      {
        args: ['grade', '--grader', 'ok.grader.json', '--data', name, '--samples', 'samples.jsonl'],
        codes: [0, 1, 2],
      },
    ]);
    await runAll(cases);
    // What must be refused is refused, at the right place.
    await runAll([
      { args: ['validate', 'latin1.jsonl'], message: /latin1\.jsonl:21:\d+ error jsonl\/invalid-utf8/ },
      { args: ['validate', 'utf16.jsonl'], message: /jsonl\/invalid-utf8/ },
      { args: ['validate', 'dup-keys.jsonl'], codes: [0], message: /jsonl\/duplicate-key/ },
      {
        args: ['sample', 'latin1.jsonl', '--field', 'label', '--n', '2', '--out', 's2.jsonl'],
        codes: [1],
        message: /line 21: not valid UTF-8/,
      },
    ]);
  });

  test('hostile grader files: lint and grade report at the place, never overflow', async () => {
    const cases = Object.keys(hostileGraders()).flatMap((name) => [
      // An unterminated template is a warning: the grader still runs (the literal text matches no sample).
      { args: ['lint', name], codes: name === 'g-unterminated.json' ? [0, 1] : [1, 2] },
      {
        args: ['grade', '--grader', name, '--data', 'ok.jsonl', '--samples', 'samples.jsonl'],
        codes: name === 'g-unterminated.json' ? [0, 1] : [1, 2],
      },
      { args: ['jobs', 'launch', name, '--provider-url', 'http://127.0.0.1:9'] },
      {
        args: [
          'map',
          'ok.jsonl',
          '--field',
          'label',
          '--mapping',
          name,
          '--out',
          `m-${name}.jsonl`,
          '--force',
        ],
      },
    ]);
    await runAll(cases);
    await runAll([
      { args: ['lint', 'g-deep.json'], message: /g-deep\.json:1:513 error grader\/json-too-deep/ },
      { args: ['lint', 'g-flat-formula.json'], message: /grader\/formula-syntax .*at most 10000/ },
      { args: ['lint', 'g-paren-formula.json'], message: /nested more than 100 levels/ },
      { args: ['lint', 'g-unterminated.json'], codes: [0, 1], message: /grader\/template-unterminated/ },
      { args: ['lint', 'g-utf16.json'], codes: [2], message: /is UTF-16 .*save it as UTF-8/ },
    ]);
  });
});

describe('in-process properties over hostile text', () => {
  test('lint never throws on random grader text, random nesting or random formulas', () => {
    const nesting = fc
      .array(fc.constantFrom('[', '{', ']', '}', '"', ',', ':', '1', '{"a":'), { maxLength: 3000 })
      .map((a) => a.join(''));
    const formula = fc
      .array(fc.constantFrom('a', '+', '-', '*', '/', '^', '(', ')', 'max(', 'min(', ',', '1e309', ' '), {
        maxLength: 3000,
      })
      .map((a) => multi(a.join('')));
    const template = fc
      .string({ maxLength: 300 })
      .map((s) => grader({ input: `{{${s}`, reference: `}}{{ item.${s} }}{{` }));
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 2000 }), nesting, formula, template), (text) => {
        assert.ok(Array.isArray(lintGraderText(text)));
      }),
      { numRuns: 300, seed: 16 },
    );
  });

  test('the dataset validator never throws on random lines', () => {
    const line = fc.oneof(
      fc.string({ maxLength: 500 }),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.integer({ min: 1, max: 20_000 }).map((n) => `{"x":${'['.repeat(n)}${']'.repeat(n)}}`),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 20 }), (ls) => {
        assert.ok(Array.isArray(validateDatasetText(ls.join('\n')).diagnostics));
      }),
      { numRuns: 200, seed: 16 },
    );
  });
});
