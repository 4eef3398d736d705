// Eval gates (`gates` of a `*.rfteval.json`) as a kind of test in the Testing view: one item per gate at its place in
// the spec. Running them runs the eval through "RFT Studio: Run Eval" (rftStudio.runEval), so the request cache
// answers an unchanged eval for free and a model-calling eval never runs without that command's cost confirmation.
import { findNodeAtLocation, parseTree } from 'jsonc-parser';
import * as vscode from 'vscode';
import { gateName } from '../../core/evals/gates';
import { parseEvalSpec } from '../../core/evals/spec';
import type { EvalGate } from '../../core/evals/types';
import { RUN_EVAL_COMMAND, type RunEvalResult } from '../evals/runEval';
import type { FileRunRequest, TestEntry, TestKind, TestKindRun } from './testExplorer';

export const EVAL_SPEC_SUFFIX = '.rfteval.json';

/** Gate keys: the gate's name, or name@N when two gates share one. */
function gateKeys(gates: readonly EvalGate[]): string[] {
  const seen = new Set<string>();
  return gates.map((g, i) => {
    const name = gateName(g);
    const key = seen.has(name) ? `${name}@${i + 1}` : name;
    seen.add(name);
    return key;
  });
}

function gatesOf(text: string): EvalGate[] {
  return parseEvalSpec(text).spec?.gates ?? [];
}

export class EvalGateKind implements TestKind {
  readonly id = 'evalgate';
  readonly pattern = `**/*${EVAL_SPEC_SUFFIX}`;

  matches(uri: vscode.Uri): boolean {
    return uri.path.endsWith(EVAL_SPEC_SUFFIX);
  }

  /** Spec problems are shown by the eval feature itself; here only the gates. */
  parse(_uri: vscode.Uri, text: string): { entries: TestEntry[]; diagnostics: vscode.Diagnostic[] } {
    const gates = gatesOf(text);
    if (!gates.length) return { entries: [], diagnostics: [] };
    const tree = parseTree(text.replace(/^\uFEFF/, ' '));
    const lines = text.split('\n');
    const positionAt = (offset: number): vscode.Position => {
      let line = 0;
      let seen = 0;
      while (line < lines.length - 1 && seen + lines[line]!.length + 1 <= offset)
        seen += lines[line++]!.length + 1;
      return new vscode.Position(line, offset - seen);
    };
    const keys = gateKeys(gates);
    return {
      entries: gates.map((g, i) => {
        const node = tree && findNodeAtLocation(tree, ['gates', i]);
        const range = node
          ? new vscode.Range(positionAt(node.offset), positionAt(node.offset + node.length))
          : new vscode.Range(0, 0, 0, 0);
        return { key: keys[i]!, label: gateName(g), range, description: 'eval gate' };
      }),
      diagnostics: [],
    };
  }

  beginRun(): TestKindRun {
    return { runFile: (req) => this.runFile(req), dispose: () => {} };
  }

  private async runFile(req: FileRunRequest): Promise<void> {
    const text = req.text ?? Buffer.from(await vscode.workspace.fs.readFile(req.uri)).toString('utf8');
    const keys = gateKeys(gatesOf(text));
    const wanted = req.entries.map((e) => e.key).filter((k) => keys.includes(k));
    for (const k of wanted) req.report.started(k);
    // The eval command saves nothing: it reads the spec from disk, so unsaved edits would silently not count.
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === req.uri.toString());
    if (doc?.isDirty) await doc.save();
    const result = await vscode.commands.executeCommand<RunEvalResult | undefined>(RUN_EVAL_COMMAND, {
      uri: req.uri,
      openComparison: false,
    });
    const failAll = (message: string) => {
      for (const k of wanted) req.report.finished(k, { status: 'errored', message });
    };
    if (!result) return failAll('The eval did not run.');
    if (!result.ok) return failAll(`The eval did not run (${result.stage}): ${result.message}`);
    const gates = result.report?.gates;
    if (!gates) return failAll(`The eval stopped (${result.status}) before its gates could be checked.`);
    const resultKeys = gateKeys(gates.map((g) => g.gate));
    for (const k of wanted) {
      const i = resultKeys.indexOf(k);
      const g = gates[i];
      if (!g) req.report.finished(k, { status: 'errored', message: 'The run did not check this gate.' });
      else if (g.passed) req.report.finished(k, { status: 'passed', output: `${g.message} (${result.dir})` });
      else
        req.report.finished(k, {
          status: 'failed',
          message: `${g.message} (run ${result.dir})`,
          expected: g.name,
          actual: g.message,
        });
    }
  }
}
