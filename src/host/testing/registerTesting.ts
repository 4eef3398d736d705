// The Testing view feature: the RFT Studio test controller with its kinds (grader unit tests, eval gates), and, under the test
// harness only, private commands through which the in-editor tests list the items and run them.
import * as vscode from 'vscode';
import { DisposableStore } from '../../core/lifecycle';
import type { HostContext } from '../hostContext';
import { isTestMode } from '../testMode';
import { EvalGateKind } from './evalGateKind';
import { GraderTestKind } from './graderTestKind';
import { RftTestController, type RecordedOutcome } from './testExplorer';

export const TESTING_STATE_COMMAND = '_rftStudio.testingTestState';
export const TESTING_RUN_COMMAND = '_rftStudio.testingTestRun';

/** A test item as TESTING_STATE_COMMAND returns it. */
export interface TestingItemView {
  id: string;
  label: string;
  file: string;
  line: number;
  description?: string;
  error?: string;
  children: TestingItemView[];
}

function view(item: vscode.TestItem): TestingItemView {
  const children: TestingItemView[] = [];
  item.children.forEach((c) => children.push(view(c)));
  children.sort((a, b) => a.line - b.line);
  return {
    id: item.id,
    label: item.label,
    file: item.uri?.fsPath ?? '',
    line: item.range?.start.line ?? -1,
    ...(item.description ? { description: item.description } : {}),
    ...(item.error ? { error: typeof item.error === 'string' ? item.error : item.error.value } : {}),
    children,
  };
}

export function registerTesting(ctx: HostContext): DisposableStore {
  const store = new DisposableStore();
  const tests = store.add(new RftTestController(ctx.log));
  tests.addKind(new GraderTestKind(ctx));
  tests.addKind(new EvalGateKind());
  if (isTestMode(ctx.extension)) {
    store.add(
      vscode.commands.registerCommand(TESTING_STATE_COMMAND, async (): Promise<TestingItemView[]> => {
        await tests.whenDiscovered();
        const out: TestingItemView[] = [];
        tests.controller.items.forEach((i) => out.push(view(i)));
        return out.sort((a, b) => a.file.localeCompare(b.file));
      }),
    );
    store.add(
      vscode.commands.registerCommand(
        TESTING_RUN_COMMAND,
        async (ids?: string[]): Promise<RecordedOutcome[]> => {
          await tests.whenDiscovered();
          const all: vscode.TestItem[] = [];
          const collect = (i: vscode.TestItem) => {
            all.push(i);
            i.children.forEach(collect);
          };
          tests.controller.items.forEach(collect);
          const include = ids ? all.filter((i) => ids.includes(i.id)) : undefined;
          const cts = new vscode.CancellationTokenSource();
          try {
            await tests.run(new vscode.TestRunRequest(include), cts.token);
          } finally {
            cts.dispose();
          }
          return [...tests.lastRun];
        },
      ),
    );
  }
  return store;
}
