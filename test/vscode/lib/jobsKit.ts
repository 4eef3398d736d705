// What the jobs suites share: the feature's state through its private test command, polling for a condition,
// and launching a job spec without the preflight dialog.
import * as assert from 'node:assert';
import * as vscode from 'vscode';
import { waitFor as poll } from '../../lib/waitFor';
import type { LaunchResult } from '../../../src/host/jobs/launchCommand';
import type { JobsTestState } from '../../../src/host/jobs/jobsTestCommands';
import { TEST_STATE_COMMAND } from '../../../src/host/jobs/jobsTestCommands';

export async function state(): Promise<JobsTestState> {
  return vscode.commands.executeCommand<JobsTestState>(TEST_STATE_COMMAND);
}

export async function job(key: string): Promise<JobsTestState['jobs'][number] | undefined> {
  return (await state()).jobs.find((j) => j.key === key);
}

/** The suite-wide waitFor (test/lib/waitFor.ts) with the jobs suites' patience: a minute, polling every 200 ms. */
export function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 60_000,
): Promise<T> {
  return poll(what, probe, { timeoutMs, intervalMs: 200 });
}

/** Launches the spec at `uri` on `providerId`, with no confirmation dialog. */
export async function launchSpec(uri: vscode.Uri, providerId: string): Promise<LaunchResult> {
  const r = await vscode.commands.executeCommand<LaunchResult>('rftStudio.launchJob', {
    uri,
    confirm: false,
    providerId,
  });
  assert.ok(r, 'launchJob returned nothing');
  return r;
}
