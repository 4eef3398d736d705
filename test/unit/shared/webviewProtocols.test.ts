// The three webview protocols' run-time checks: each spec accepts every message it describes and rejects
// unknown types, missing fields, wrong types and out-of-range values. The @ts-expect-error lines are checked by
// `tsc`: a spec that forgets a message or a field must not compile.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DatasetPreviewProtocol, PreviewRequests } from '../../../src/shared/datasetPreviewProtocol';
import {
  MAX_ROWS_PER_REQUEST,
  previewRequestSpec,
  previewToHostSpec,
} from '../../../src/shared/datasetPreviewProtocol';
import type { LabToHost } from '../../../src/shared/graderLabProtocol';
import { labToHostSpec } from '../../../src/shared/graderLabProtocol';
import type { JobDetailsToHost } from '../../../src/shared/jobDetailsProtocol';
import { isJobDetailsPersistedState, jobDetailsToHostSpec } from '../../../src/shared/jobDetailsProtocol';
import type { MessageSpec, RequestMessage, RequestSpec } from '../../../src/shared/webviewProtocol';
import { is, validateMessage, validateRequest } from '../../../src/shared/webviewProtocol';

function accepts<M extends { type: string }>(spec: MessageSpec<M>, messages: M[]): void {
  for (const m of messages) assert.deepEqual(validateMessage(spec, m), m, `accepts ${JSON.stringify(m)}`);
}
function rejects<M extends { type: string }>(spec: MessageSpec<M>, raws: unknown[]): void {
  for (const r of raws) assert.equal(validateMessage(spec, r), undefined, `rejects ${JSON.stringify(r)}`);
}

test('Grader Lab: every webview message is accepted as sent', () => {
  accepts<LabToHost>(labToHostSpec, [
    { type: 'pick', what: 'dataset' },
    { type: 'pick', what: 'grader' },
    { type: 'removeGrader', path: '/w/a.grader.json' },
    { type: 'clearResponseFormat' },
    { type: 'setMode', mode: 'model' },
    { type: 'setPasted', itemIndex: 3, text: 'a\n---\nb' },
    { type: 'setModel', model: 'o4-mini', k: 64 },
    { type: 'setThreshold', threshold: 0 },
    { type: 'setThreshold', threshold: 1 },
    { type: 'run' },
    { type: 'cancel' },
    { type: 'export', format: 'csv' },
    { type: 'verifyRemote', count: 20 },
    { type: 'revealInEditor', line: 0 },
  ]);
});

test('Grader Lab: unknown types, missing or wrong fields and out-of-range values are rejected', () => {
  rejects(labToHostSpec, [
    null,
    'run',
    [],
    { type: 'ready!' },
    { type: 'toString' },
    { type: 'reveal', line: 1 },
    { type: 'pick' },
    { type: 'pick', what: 'secrets' },
    { type: 'setMode', mode: 'FILE' },
    { type: 'setPasted', itemIndex: 1.5, text: '' },
    { type: 'setPasted', itemIndex: 0, text: 'x'.repeat(5_000_001) },
    { type: 'setModel', model: 'm', k: 0 },
    { type: 'setModel', model: 'm', k: 65 },
    { type: 'setModel', model: 'm'.repeat(201), k: 1 },
    { type: 'setThreshold', threshold: 1.01 },
    { type: 'setThreshold', threshold: Number.NaN },
    { type: 'export', format: 'xlsx' },
    { type: 'verifyRemote', count: 201 },
    { type: 'revealInEditor', line: '3' },
  ]);
});

test('Job details: the actions are accepted, anything else rejected; the persisted state is checked too', () => {
  accepts<JobDetailsToHost>(jobDetailsToHostSpec, [
    { type: 'action', action: 'pause' },
    { type: 'action', action: 'copyModel' },
  ]);
  rejects(jobDetailsToHostSpec, [
    { type: 'action' },
    { type: 'action', action: 'delete' },
    { type: 'state', state: {} },
  ]);
  assert.ok(isJobDetailsPersistedState({ key: 'openai/ftjob-1' }));
  assert.ok(isJobDetailsPersistedState({ key: 'openai/ftjob-1', tab: 'events' }));
  assert.ok(!isJobDetailsPersistedState({ key: 1 }));
  assert.ok(!isJobDetailsPersistedState({ key: 'k', tab: 'secrets' }));
  assert.ok(!isJobDetailsPersistedState(undefined));
});

test('Dataset preview: one-way messages and requests (with their ids) are accepted', () => {
  accepts<DatasetPreviewProtocol['toHost']>(previewToHostSpec, [
    { type: 'revealInEditor', line: 0 },
    { type: 'openSettings' },
  ]);
  const requests: RequestMessage<PreviewRequests>[] = [
    { type: 'getRows', id: 1, lines: [0, 1, 2] },
    { type: 'getRow', id: 2, line: 7 },
    {
      type: 'filter',
      id: 3,
      query: { text: 'a', kinds: ['rft', 'blank'], field: 'x=1', hasProblems: false },
    },
    { type: 'stats', id: 4, field: '', withValidation: true },
    { type: 'chooseValidation', id: 5 },
  ];
  for (const r of requests) assert.deepEqual(validateRequest(previewRequestSpec, r), r);
});

test('Dataset preview: requests without an id, with bad parameters or of unknown types are rejected', () => {
  const bad: unknown[] = [
    { type: 'getRows', lines: [1] },
    { type: 'getRows', id: 1.5, lines: [1] },
    { type: 'getRows', id: 1, lines: [-1] },
    { type: 'getRows', id: 1, lines: new Array(MAX_ROWS_PER_REQUEST + 1).fill(0) },
    { type: 'getRow', id: 1 },
    { type: 'filter', id: 1, query: { text: 'a', kinds: ['nope'], field: '', hasProblems: false } },
    { type: 'filter', id: 1, query: { text: 'a', kinds: [], field: '' } },
    { type: 'stats', id: 1, field: 'x'.repeat(1001), withValidation: false },
    { type: 'revealInEditor', id: 1, line: 1 },
    { type: 'hasOwnProperty', id: 1 },
  ];
  for (const r of bad) assert.equal(validateRequest(previewRequestSpec, r), undefined, JSON.stringify(r));
  rejects(previewToHostSpec, [{ type: 'getRows', id: 1, lines: [1] }, { type: 'revealInEditor' }]);
});

test('specs are tied to their unions at compile time', () => {
  type Two = { type: 'a'; n: number } | { type: 'b'; s?: string };
  const ok = { a: { n: is.integer }, b: { s: is.optional(is.string) } } satisfies MessageSpec<Two>;
  // @ts-expect-error a message type is missing from the spec
  const missingType = { a: { n: is.integer } } satisfies MessageSpec<Two>;
  // @ts-expect-error a field is missing (optional fields too)
  const missingField = { a: { n: is.integer }, b: {} } satisfies MessageSpec<Two>;
  // @ts-expect-error a check of the wrong type
  const wrongCheck = { a: { n: is.string }, b: { s: is.optional(is.string) } } satisfies MessageSpec<Two>;
  // @ts-expect-error a message the union does not have
  const extra = { a: { n: is.integer }, b: { s: is.optional(is.string) }, c: {} } satisfies MessageSpec<Two>;
  type Req = { get: { params: { line: number }; reply: string } };
  // @ts-expect-error a request's parameter is missing
  const missingParam = { get: {} } satisfies RequestSpec<Req>;
  assert.ok([ok, missingType, missingField, wrongCheck, extra, missingParam].every(Boolean));
  assert.ok(validateMessage(ok, { type: 'b' }));
  assert.equal(validateMessage(ok, { type: 'b', s: 1 }), undefined);
});
