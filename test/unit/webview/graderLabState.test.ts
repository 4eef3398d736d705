// The Grader Lab webview's reducer: host events and UI actions in, a new state out, untouched parts kept by
// reference (the views redraw by comparing them), the persisted UI state checked on the way back in.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HostToLab, LabRow, LabSetup } from '../../../src/shared/graderLabProtocol';
import type { LabViewState } from '../../../webview/graderLab/state';
import {
  MAX_NOTICES,
  initialState,
  isRunning,
  reduce,
  restoreUiState,
  visibleRows,
} from '../../../webview/graderLab/state';

const setup: LabSetup = {
  graders: [
    { path: '/w/f1.grader.json', label: 'F1', type: 'multi' },
    { path: '/w/f2.grader.json', label: 'F2', type: 'multi' },
  ],
  samplesMode: 'file',
  pasted: { itemIndex: 0, text: '' },
  model: { model: 'o4-mini', k: 4 },
  threshold: 0.5,
};

function row(
  graderId: string,
  line: number,
  sampleIndex: number,
  reward: number,
  extra: Partial<LabRow> = {},
): LabRow {
  return {
    graderId,
    itemIndex: line,
    itemKey: `eu-00${line + 1}`,
    line,
    sampleIndex,
    output: `output ${line}/${sampleIndex}`,
    reward,
    subRewards: {},
    errors: [],
    traceback: null,
    executionMs: 1,
    ...extra,
  };
}

const F1 = '/w/f1.grader.json';
const F2 = '/w/f2.grader.json';
const run = (state: LabViewState, ...events: HostToLab[]) => events.reduce(reduce, state);

test('a run: rows stream in, the analysis and the remote check arrive, a new run clears them', () => {
  let s = run(
    initialState(),
    { type: 'setup', setup, items: [], trusted: false },
    { type: 'status', status: { phase: 'grading', done: 0, total: 4 } },
    { type: 'rows', rows: [row(F1, 0, 0, 1), row(F1, 0, 1, 0)] },
    { type: 'rows', rows: [row(F2, 0, 0, 0.5)] },
  );
  assert.equal(s.rows.length, 3);
  assert.equal(s.trusted, false);
  assert.ok(isRunning(s.status));
  const analysis = {
    type: 'analysis' as const,
    analysis: { graders: [], comparisons: [] },
    probes: [],
    recommendation: { text: 'Prefer F1' },
  };
  s = run(
    s,
    analysis,
    { type: 'remote', checked: 3, diffs: [] },
    { type: 'status', status: { phase: 'done', done: 3, total: 3 } },
  );
  assert.equal(s.results?.recommendation.text, 'Prefer F1');
  assert.deepEqual(s.remote, { checked: 3, diffs: [] });
  assert.ok(!isRunning(s.status));
  s = reduce(s, { type: 'rows', rows: [], reset: true });
  assert.equal(s.rows.length, 0);
  assert.equal(s.results, undefined);
  assert.equal(s.remote, undefined);
});

test('untouched parts keep their identity, and an action that changes nothing returns the same state', () => {
  const s = run(
    initialState(),
    { type: 'setup', setup, items: [], trusted: true },
    { type: 'rows', rows: [row(F1, 0, 0, 1)] },
  );
  const afterStatus = reduce(s, { type: 'status', status: { phase: 'grading', done: 1, total: 2 } });
  assert.equal(afterStatus.rows, s.rows);
  assert.equal(afterStatus.setup, s.setup);
  assert.equal(afterStatus.ui, s.ui);
  assert.equal(reduce(s, { type: 'rows', rows: [] }), s, 'an empty batch changes nothing');
  assert.equal(reduce(s, { type: 'filterBy', filter: { text: '' } }), s, 'the same filter changes nothing');
  const withRows = reduce(s, { type: 'rows', rows: [row(F1, 1, 0, 0)] });
  assert.notEqual(withRows.rows, s.rows, 'new rows are a new array (the table redraws)');
  assert.equal(s.rows.length, 1, 'the previous state is not mutated');
});

test('sorting flips on a second click; rewards sort from the highest first', () => {
  let s = initialState();
  assert.deepEqual(s.ui.sort, { key: 'line', desc: false });
  s = reduce(s, { type: 'sortBy', key: 'line' });
  assert.deepEqual(s.ui.sort, { key: 'line', desc: true });
  s = reduce(s, { type: 'sortBy', key: 'reward' });
  assert.deepEqual(s.ui.sort, { key: 'reward', desc: true });
  s = reduce(s, { type: 'sortBy', key: 'grader' });
  assert.deepEqual(s.ui.sort, { key: 'grader', desc: false });
});

test('visibleRows filters by text (item or output), grader and errors, then sorts', () => {
  let s = run(
    initialState(),
    { type: 'setup', setup, items: [], trusted: true },
    {
      type: 'rows',
      rows: [
        row(F2, 1, 0, 0.2),
        row(F1, 0, 1, 0.9),
        row(F1, 0, 0, 0.1, { errors: ['python_grader_runtime_error'] }),
        row(F2, 2, 0, 0.5, { output: 'mentions EU-003 too' }),
      ],
    },
  );
  const keys = (st: LabViewState) =>
    visibleRows(st).map((r) => `${r.graderId === F1 ? 'F1' : 'F2'}:${r.line}.${r.sampleIndex}`);
  assert.deepEqual(keys(s), ['F1:0.0', 'F1:0.1', 'F2:1.0', 'F2:2.0'], 'by line, then sample');
  s = reduce(s, { type: 'sortBy', key: 'reward' });
  assert.deepEqual(keys(s), ['F1:0.1', 'F2:2.0', 'F2:1.0', 'F1:0.0']);
  assert.deepEqual(keys(reduce(s, { type: 'filterBy', filter: { text: 'eu-003' } })), ['F2:2.0']);
  assert.deepEqual(keys(reduce(s, { type: 'filterBy', filter: { grader: F2 } })), ['F2:2.0', 'F2:1.0']);
  assert.deepEqual(keys(reduce(s, { type: 'filterBy', filter: { errorsOnly: true } })), ['F1:0.0']);
  s = reduce(s, { type: 'sortBy', key: 'grader' });
  assert.deepEqual(
    keys(s).map((k) => k.slice(0, 2)),
    ['F1', 'F1', 'F2', 'F2'],
  );
});

test('notices keep the last few; the persisted UI state is checked when read back', () => {
  let s = initialState();
  for (let i = 0; i < 6; i++) s = reduce(s, { type: 'notice', level: 'info', message: `n${i}` });
  assert.deepEqual(
    s.notices.map((n) => n.message),
    ['n2', 'n3', 'n4', 'n5'],
  );
  assert.equal(s.notices.length, MAX_NOTICES);
  assert.ok(!('notices' in s.ui), 'notices are not persisted');
  const saved = JSON.parse(JSON.stringify(reduce(s, { type: 'sortBy', key: 'reward' }).ui));
  assert.deepEqual(restoreUiState(saved), { ...s.ui, sort: { key: 'reward', desc: true } });
  // What an older build saved (rows and all) or something broken gives the defaults, never a crash.
  const old = restoreUiState({ rows: [1, 2], sort: { key: 'bogus', desc: 1 }, filter: { text: 3 } });
  assert.deepEqual(old, initialState().ui);
  assert.deepEqual(restoreUiState(undefined), initialState().ui);
  assert.deepEqual(restoreUiState('x'), initialState().ui);
});
