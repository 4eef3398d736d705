// LabSession: the Grader Lab without VS Code. Real graders and samples (the EuroVoc demo), sampling and the remote
// check through the real OpenAI SDK against the local emulator, the store a plain Map.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import type { LabProvider, LabSessionOptions, LabStore } from '../../../../src/core/lab/labSession';
import { LabSession, RESULTS_KEY, SETUP_KEY, pastedSamples } from '../../../../src/core/lab/labSession';
import type { LabEvent, LabSetup } from '../../../../src/core/lab/types';
import { nullLogger } from '../../../../src/core/log';
import { startEmulator, type Emulator } from '../../../../src/emulator/server';

const root = join(__dirname, '../../../..');
const lab = (f: string) => join(root, 'demo/lab', f);
const F1 = lab('eurovoc_f1.grader.json');
const F2 = lab('eurovoc_f2.grader.json');
const DEMO: Partial<LabSetup> = {
  dataset: lab('eurovoc_demo.jsonl'),
  samplesFile: lab('eurovoc_samples.jsonl'),
  responseFormat: lab('eurovoc.response_format.json'),
  graders: [F1, F2].map((p) => ({ path: p, label: '', type: '' })),
};

let emulator: Emulator;
let dir: string;
const sessions: LabSession[] = [];
before(async () => {
  emulator = await startEmulator({ speed: 1000 });
  dir = await mkdtemp(join(tmpdir(), 'lab-session-'));
});
after(async () => {
  for (const s of sessions) s.dispose();
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

class MapStore implements LabStore {
  readonly map = new Map<string, unknown>();
  get<T>(key: string): T | undefined {
    // Through JSON, as a real store keeps it: nothing the session holds may leak in by reference.
    const v = this.map.get(key);
    return v === undefined ? undefined : (JSON.parse(JSON.stringify(v)) as T);
  }
  async update(key: string, value: unknown): Promise<void> {
    this.map.set(key, JSON.parse(JSON.stringify(value)));
  }
}

function provider(graderRun = true): LabProvider {
  return {
    label: 'Emulator',
    client: new OpenAI({ baseURL: emulator.url, apiKey: 'test-key', maxRetries: 0 }),
    graderRun,
    modelGraders: false,
  };
}

function session(opts: Partial<LabSessionOptions> & { setup?: Partial<LabSetup> } = {}) {
  const events: LabEvent[] = [];
  const reads: string[] = [];
  const s = new LabSession({
    log: nullLogger,
    emit: (e) => events.push(e),
    provider: async () => undefined,
    trusted: () => true,
    confirmSampling: async () => true,
    defaults: () => structuredClone(opts.setup ?? DEMO),
    readText: async (f) => {
      reads.push(f);
      return readFile(f, 'utf8');
    },
    ...opts,
  });
  sessions.push(s);
  const of = <K extends LabEvent['type']>(type: K) =>
    events.filter((e): e is Extract<LabEvent, { type: K }> => e.type === type);
  const lastStatus = () => of('status').at(-1)?.status;
  return { s, events, reads, of, lastStatus };
}

test('a run on the EuroVoc demo grades 48 samples with both graders, analyses them and reads each grader once', async () => {
  const { s, of, reads, lastStatus } = session();
  await s.start();
  const setup = of('setup').at(-1)!;
  assert.deepEqual(
    setup.setup.graders.map((g) => [g.label, g.type]),
    [
      ['level1_f1_multi', 'multi'],
      ['level1_f2_multi', 'multi'],
    ],
  );
  assert.equal(setup.items.length, 12);
  reads.length = 0;
  await s.run();
  assert.equal(lastStatus()?.message, 'Graded 48 sample(s) with 2 grader(s).', JSON.stringify(of('notice')));
  assert.equal(lastStatus()?.phase, 'done');
  assert.deepEqual(reads.filter((f) => f === F1).length, 1, 'the F1 grader file is read once per run');
  assert.deepEqual(reads.filter((f) => f === F2).length, 1, 'the F2 grader file is read once per run');
  const rows = of('rows').flatMap((e) => e.rows);
  assert.equal(rows.length, 96);
  assert.ok(
    rows.every((r) => r.errors.length === 0),
    JSON.stringify(rows.find((r) => r.errors.length)),
  );
  const analysis = of('analysis').at(-1)!;
  assert.match(analysis.recommendation.text, /^Prefer level1_f1_multi/);
  const f1 = analysis.analysis.graders.find((g) => g.graderId === F1)!;
  assert.equal(f1.signal.flatItems, 2, 'eu-008 and eu-009 have four identical samples');
  const everyLabel = analysis.probes.filter((p) => p.probe === 'all-labels');
  assert.deepEqual(
    everyLabel.map((p) => [p.graderId, p.exploitable]),
    [
      [F1, false],
      [F2, true],
    ],
  );
  assert.equal(s.exportRows().length, 96);
  assert.equal(s.exportRows()[0].grader, 'level1_f1_multi');
});

test('the snapshot brings a new view up to date, and a new session restores the results from the store', async () => {
  const store = new MapStore();
  const first = session({ store });
  await first.s.start();
  await first.s.run();
  const types = first.s.snapshot().map((e) => e.type);
  assert.deepEqual(types, ['setup', 'status', 'rows', 'analysis']);
  assert.ok(store.map.has(SETUP_KEY) && store.map.has(RESULTS_KEY));

  // After a reload: nothing is graded again, the same results come back (the status line starts idle, as before).
  const second = session({ store, defaults: () => ({ dataset: '/nowhere.jsonl' }) });
  const snap = second.s.snapshot();
  const rows = snap.find((e) => e.type === 'rows');
  assert.equal(rows?.type === 'rows' && rows.rows.length, 96);
  const status = snap.find((e) => e.type === 'status');
  assert.equal(status?.type === 'status' && status.status.phase, 'idle');
  assert.ok(snap.some((e) => e.type === 'analysis'));
  assert.equal(second.s.setup.dataset, DEMO.dataset, 'the stored setup wins over the workspace defaults');
  assert.equal(second.reads.length, 0);
});

test('changing the threshold re-analyses the rows without grading or probing again', async () => {
  const { s, of, reads } = session();
  await s.start();
  await s.run();
  const before = of('analysis').length;
  const rowsBefore = of('rows').length;
  reads.length = 0;
  await s.setThreshold(0.9);
  assert.equal(of('analysis').length, before + 1);
  assert.equal(of('rows').length, rowsBefore, 'no rows are graded again');
  assert.equal(reads.length, 0, 'no grader is read again');
  assert.equal(of('analysis').at(-1)!.analysis.comparisons[0].threshold, 0.9);
});

test('pasted outputs: blocks separated by ---, one item, and a clear message when nothing is pasted', async () => {
  const samples = pastedSamples(3, { itemIndex: 7, text: 'first\n---\n\nsecond\n  ---  \n' });
  assert.deepEqual(
    samples.map((x) => [x.itemIndex, x.sampleIndex, x.input]),
    [
      [2, 0, 'first'],
      [2, 1, 'second'],
    ],
  );
  assert.throws(() => pastedSamples(3, { itemIndex: 0, text: ' \n---\n' }), /Paste at least one output/);

  const { s, lastStatus, of } = session();
  await s.start();
  await s.setMode('pasted');
  await s.setPasted(0, '');
  await s.run();
  assert.equal(lastStatus()?.phase, 'error');
  assert.match(lastStatus()?.message ?? '', /Paste at least one output/);
  await s.setPasted(0, '{"level1": [{"code": "law"}]}\n---\n{"level1": []}');
  await s.run();
  assert.equal(lastStatus()?.message, 'Graded 2 sample(s) with 2 grader(s).');
  assert.equal(of('analysis').at(-1)!.analysis.graders.length, 2);
});

test('bad input is reported where the user acted: no dataset, a broken grader file, no provider', async () => {
  const broken = join(dir, 'broken.grader.json');
  await writeFile(broken, '{"type": ');
  const { s, of, lastStatus } = session({ setup: { graders: [] } });
  await s.start();
  await s.run();
  assert.deepEqual(of('notice').at(-1), {
    type: 'notice',
    level: 'warning',
    message: 'Choose a dataset first.',
  });
  await s.addGraders([broken]);
  assert.match(of('notice').at(-1)!.message, /^broken\.grader\.json: not valid JSON/);
  await s.setDataset(lab('eurovoc_demo.jsonl'));
  await s.addGraders([F1]);
  await s.setMode('model');
  await s.run();
  assert.equal(lastStatus()?.phase, 'error');
  assert.match(lastStatus()?.message ?? '', /needs a provider/);
  await s.verifyRemote(5);
  assert.match(of('notice').at(-1)!.message, /Remote verification needs a provider/);
});

test('sampling a model: nothing is sent until confirmed, then K calls per item through the SDK', async () => {
  const items = join(dir, 'two.jsonl');
  await writeFile(
    items,
    [
      { id: 'a', messages: [{ role: 'user', content: 'Say yes.' }] },
      { id: 'b', messages: [{ role: 'user', content: 'Say no.' }] },
    ]
      .map((x) => JSON.stringify(x))
      .join('\n'),
  );
  const grader = join(dir, 'nonempty.grader.json');
  await writeFile(
    grader,
    JSON.stringify({
      type: 'string_check',
      name: 'not_empty',
      input: '{{ sample.output_text }}',
      reference: '',
      operation: 'ne',
    }),
  );
  let asked = 0;
  let confirm = false;
  const chatCalls = () => emulator.requests().filter((r) => r.path.endsWith('/chat/completions')).length;
  const { s, lastStatus, of } = session({
    setup: { dataset: items, graders: [{ path: grader, label: '', type: '' }] },
    provider: async () => provider(),
    confirmSampling: async (plan) => {
      asked++;
      assert.equal(plan.calls, 6);
      return confirm;
    },
  });
  await s.start();
  await s.setModel('  gpt-4.1-mini ', 3);
  assert.equal(s.setup.model.model, 'gpt-4.1-mini');
  await s.setMode('model');
  assert.match(of('setup').at(-1)!.samplingPlan ?? '', /^6 call\(s\) to gpt-4\.1-mini/);
  const before = chatCalls();
  await s.run();
  assert.equal(asked, 1);
  assert.equal(lastStatus()?.message, 'Sampling not confirmed; nothing was sent.');
  assert.equal(chatCalls(), before, 'no model call without a confirmation');
  confirm = true;
  await s.run();
  assert.equal(chatCalls(), before + 6);
  assert.equal(lastStatus()?.message, 'Graded 6 sample(s) with 1 grader(s).');
  assert.ok(of('status').some((e) => e.status.phase === 'sampling'));
});

test('the remote check compares with graders/run field by field, reusing the graders the run read', async () => {
  const grader = join(dir, 'exact.grader.json');
  await writeFile(
    grader,
    JSON.stringify({
      type: 'string_check',
      name: 'exact',
      input: '{{ sample.output_text }}',
      reference: 'yes',
      operation: 'eq',
    }),
  );
  const items = join(dir, 'one.jsonl');
  await writeFile(items, JSON.stringify({ messages: [{ role: 'user', content: 'Say yes.' }] }));
  let active = provider(false);
  const { s, of, reads } = session({
    setup: { dataset: items, graders: [{ path: grader, label: '', type: '' }], samplesMode: 'pasted' },
    provider: async () => active,
  });
  await s.start();
  await s.verifyRemote(5);
  assert.match(of('notice').at(-1)!.message, /does not offer the graders\/run endpoint/);
  active = provider(true);
  await s.verifyRemote(5);
  assert.equal(of('notice').at(-1)!.message, 'Run the lab locally first.');
  await s.setPasted(0, 'yes\n---\nno\n---\nmaybe');
  await s.run();
  reads.length = 0;
  await s.verifyRemote(5);
  assert.equal(reads.length, 0, 'the remote check does not read the grader again');
  assert.deepEqual(of('remote').at(-1), { type: 'remote', checked: 3, diffs: [] });

  emulator.addFault({ path: '/fine_tuning/alpha/graders/run', kind: '500', count: 1 });
  await s.verifyRemote(2);
  const remote = of('remote').at(-1)!;
  assert.equal(remote.checked, 2);
  assert.equal(remote.diffs.length, 1);
  assert.equal(remote.diffs[0].remote, null);
  assert.equal(remote.diffs[0].sampleIndex, 0);
  assert.match(of('status').at(-1)!.status.message ?? '', /Verified 2 row\(s\) remotely: 1 differ/);
  assert.ok(
    s.snapshot().some((e) => e.type === 'remote'),
    'the remote check is part of the snapshot',
  );
});
