// The "Last job" CodeLens text of a spec (src/host/jobs/jobsModel.ts, no vscode): the status the monitor knows,
// and a job it can no longer follow shown as last seen rather than as still running.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JobView } from '../../../src/host/jobs/jobsModel';
import { lastJobLens } from '../../../src/host/jobs/jobsModel';

const base: Pick<JobView, 'jobId' | 'snapshot' | 'providerLabel'> = {
  jobId: 'ftjob-abc',
  snapshot: { status: 'validating_files', model: 'o4-mini-2025-04-16' },
  providerLabel: 'Azure (Sweden)',
};

test('a followed job shows its current status, underscores as spaces', () => {
  assert.deepEqual(lastJobLens(base), {
    title: '$(graph-line) Last job: ftjob-abc (validating files)',
    tooltip: 'Open the job details',
  });
});

test('a transient polling problem keeps the status and explains itself in the tooltip', () => {
  const lens = lastJobLens({ ...base, pollProblem: 'Rate limited (429) — retrying in 4 s' });
  assert.equal(lens.title, '$(graph-line) Last job: ftjob-abc (validating files)');
  assert.equal(lens.tooltip, 'Open the job details. Rate limited (429) — retrying in 4 s');
});

test('a job the provider no longer knows is shown as last seen, with the reason', () => {
  const problem = 'Azure (Sweden) does not know this job any more (404).';
  const lens = lastJobLens({
    ...base,
    snapshot: { status: 'running', model: 'o4-mini-2025-04-16' },
    lost: true,
    pollProblem: problem,
  });
  assert.equal(
    lens.title,
    '$(warning) Last job: ftjob-abc (running when last seen; Azure (Sweden) no longer knows it)',
  );
  assert.equal(lens.tooltip, problem);
});

test('a job whose provider is not configured is shown as last seen', () => {
  const lens = lastJobLens({
    ...base,
    snapshot: { status: 'paused', model: 'm' },
    providerLabel: 'emulator (removed)',
    orphan: true,
  });
  assert.equal(
    lens.title,
    '$(warning) Last job: ftjob-abc (paused when last seen; its provider is not configured)',
  );
  assert.equal(lens.tooltip, 'The job can no longer be followed: its provider is not configured.');
});

test('no status is invented for a job never seen', () => {
  assert.equal(
    lastJobLens({ ...base, snapshot: { status: 'unknown', model: '' } }).title,
    '$(graph-line) Last job: ftjob-abc',
  );
  assert.equal(
    lastJobLens({ ...base, snapshot: { status: 'unknown', model: '' }, lost: true }).title,
    '$(warning) Last job: ftjob-abc (Azure (Sweden) no longer knows it)',
  );
});
