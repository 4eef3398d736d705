// The eval comparison protocol's run-time checks: every message and request the webview sends is accepted as
// sent; unknown types, missing fields, wrong types and out-of-range values are rejected, and so is a persisted
// state the serializer cannot reload from. The @ts-expect-error lines are checked by `tsc`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type {
  EvalCompareRequests,
  EvalCompareToHost,
  EvalComparePersistedState,
} from '../../../src/shared/evalCompareProtocol';
import {
  MAX_FILTER_CHARS,
  evalCompareRequestSpec,
  evalCompareToHostSpec,
  isCompareQuery,
  isEvalComparePersistedState,
} from '../../../src/shared/evalCompareProtocol';
import type { MessageSpec, RequestMessage, RequestSpec } from '../../../src/shared/webviewProtocol';
import { is, validateMessage, validateRequest } from '../../../src/shared/webviewProtocol';

test('every webview message is accepted as sent', () => {
  const messages: EvalCompareToHost[] = [
    { type: 'revealItem', line: 0 },
    { type: 'revealItem', line: 120_000 },
    { type: 'export', format: 'csv', query: { threshold: 0.5, filter: {} } },
    {
      type: 'export',
      format: 'jsonl',
      query: {
        threshold: 1,
        filter: { text: 'cd-0', label: 'easy', outcome: 'loss', minAbsDifference: 0.25 },
        sort: 'line',
        rowLimit: 5000,
        mostChanged: 0,
      },
    },
  ];
  for (const m of messages) assert.deepEqual(validateMessage(evalCompareToHostSpec, m), m);
  const requests: RequestMessage<EvalCompareRequests>[] = [
    { type: 'getView', id: 1, query: { threshold: 0.5, filter: {} } },
    { type: 'getView', id: 2, query: { threshold: -3, filter: { outcome: 'tie' }, sort: 'difference' } },
  ];
  for (const r of requests) assert.deepEqual(validateRequest(evalCompareRequestSpec, r), r);
});

test('unknown types, missing or wrong fields and out-of-range values are rejected', () => {
  const q = { threshold: 0.5, filter: {} };
  const bad: unknown[] = [
    null,
    'export',
    { type: 'reveal', line: 1 },
    { type: 'revealItem' },
    { type: 'revealItem', line: -1 },
    { type: 'revealItem', line: 1.5 },
    { type: 'revealItem', line: '3' },
    { type: 'export', format: 'xlsx', query: q },
    { type: 'export', format: 'csv' },
    { type: 'export', format: 'csv', query: { filter: {} } },
    { type: 'export', format: 'csv', query: { threshold: Number.NaN, filter: {} } },
    { type: 'export', format: 'csv', query: { threshold: 0.5 } },
    { type: 'export', format: 'csv', query: { ...q, filter: { outcome: 'draw' } } },
    { type: 'export', format: 'csv', query: { ...q, filter: { minAbsDifference: -0.1 } } },
    { type: 'export', format: 'csv', query: { ...q, filter: { text: 'x'.repeat(MAX_FILTER_CHARS + 1) } } },
    { type: 'export', format: 'csv', query: { ...q, sort: 'random' } },
    { type: 'export', format: 'csv', query: { ...q, rowLimit: 0 } },
    { type: 'export', format: 'csv', query: { ...q, rowLimit: 5001 } },
    { type: 'export', format: 'csv', query: { ...q, mostChanged: 101 } },
    { type: 'getView', id: 1, query: q },
  ];
  for (const raw of bad)
    assert.equal(validateMessage(evalCompareToHostSpec, raw), undefined, JSON.stringify(raw));
  const badRequests: unknown[] = [
    { type: 'getView', query: q },
    { type: 'getView', id: 'one', query: q },
    { type: 'getView', id: 1 },
    { type: 'getView', id: 1, query: { threshold: '0.5', filter: {} } },
    { type: 'revealItem', id: 1, line: 1 },
    { type: 'constructor', id: 1 },
  ];
  for (const raw of badRequests)
    assert.equal(validateRequest(evalCompareRequestSpec, raw), undefined, JSON.stringify(raw));
  assert.ok(isCompareQuery(q));
  assert.ok(!isCompareQuery([q]));
});

test('the persisted state the serializer reloads from is checked', () => {
  const good: EvalComparePersistedState[] = [
    { source: { runs: ['/w/.rft/evals/a'], candidates: ['tuned', 'base'] } },
    {
      source: { runs: ['/w/.rft/evals/a', '/w/.rft/evals/b'], candidates: ['tuned', 'tuned'] },
      threshold: 0.7,
      filter: { label: 'hard' },
      sort: 'line',
    },
  ];
  for (const s of good) assert.ok(isEvalComparePersistedState(s), JSON.stringify(s));
  const bad: unknown[] = [
    undefined,
    {},
    { source: { runs: [], candidates: ['a', 'b'] } },
    { source: { runs: ['a', 'b', 'c'], candidates: ['a', 'b'] } },
    { source: { runs: ['a'], candidates: ['a'] } },
    { source: { runs: ['a'], candidates: ['a', 2] } },
    { source: { runs: ['a'], candidates: ['a', 'b'] }, threshold: 'high' },
    { source: { runs: ['a'], candidates: ['a', 'b'] }, filter: { outcome: 'draw' } },
  ];
  for (const s of bad) assert.ok(!isEvalComparePersistedState(s), JSON.stringify(s));
});

test('the specs are typed from the unions (checked by tsc)', () => {
  // @ts-expect-error a spec without the export message does not compile
  const missing: MessageSpec<EvalCompareToHost> = { revealItem: { line: is.integer } };
  // @ts-expect-error a message spec missing a field's check does not compile
  const noField: MessageSpec<EvalCompareToHost> = { ...evalCompareToHostSpec, revealItem: {} };
  // @ts-expect-error a request spec without getView's query check does not compile
  const noQuery: RequestSpec<EvalCompareRequests> = { getView: {} };
  // @ts-expect-error a reveal needs a line
  const noLine: EvalCompareToHost = { type: 'revealItem' };
  assert.ok(missing && noField && noQuery && noLine);
});
