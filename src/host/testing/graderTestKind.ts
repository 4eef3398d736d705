// Grader unit tests (`*.gradertest.jsonl`) as a kind of test in the Testing view: one item per case at its line,
// run with the local engine (core/gradertests). Python graders run only in a trusted workspace; model graders go
// through the active provider, which is asked for only when a case needs it.
import * as vscode from 'vscode';
import { GraderEngine, type GraderEngineOptions } from '../../core/graders/engine';
import { describeExpect, GRADER_TEST_SUFFIX, parseGraderTests } from '../../core/gradertests/parse';
import { GraderTestRunner, type GraderTestResult } from '../../core/gradertests/run';
import { toVscodeDiagnostic, toVscodeRange } from '../diagnosticsAdapter';
import type { HostContext } from '../hostContext';
import type { FileRunRequest, TestEntry, TestKind, TestKindRun, TestOutcome } from './testExplorer';

export const UNTRUSTED_PYTHON =
  'Python graders run only in a trusted workspace: trust this workspace (Workspaces: Manage Workspace Trust) to run this test.';

/** A case's key: its name, or name@line when the name repeats (the parser warns about that). */
function keys(names: readonly { name: string; line: number }[]): string[] {
  const seen = new Set<string>();
  return names.map((c) => {
    const key = seen.has(c.name) ? `${c.name}@${c.line + 1}` : c.name;
    seen.add(c.name);
    return key;
  });
}

function outcomeOf(r: GraderTestResult): TestOutcome {
  const actual = `reward ${r.reward}${r.errors.length ? `, errors ${r.errors.join(', ')}` : ''}`;
  const notes = r.details.length ? `\n${r.details.join('\n')}` : '';
  switch (r.status) {
    case 'passed':
      return { status: 'passed', durationMs: r.durationMs, output: `${actual} (expected ${r.expected})` };
    case 'failed':
      return {
        status: 'failed',
        message: `${r.message ?? 'failed'}${notes}`,
        expected: r.expected,
        actual,
        durationMs: r.durationMs,
      };
    case 'errored':
      return { status: 'errored', message: r.message ?? 'could not run' };
  }
}

export class GraderTestKind implements TestKind {
  readonly id = 'gradertest';
  readonly pattern = `**/*${GRADER_TEST_SUFFIX}`;

  constructor(private readonly ctx: HostContext) {}

  matches(uri: vscode.Uri): boolean {
    return uri.path.endsWith(GRADER_TEST_SUFFIX);
  }

  parse(uri: vscode.Uri, text: string): { entries: TestEntry[]; diagnostics: vscode.Diagnostic[] } {
    const parsed = parseGraderTests(text);
    const k = keys(parsed.cases);
    return {
      entries: parsed.cases.map((c, i) => ({
        key: k[i]!,
        label: c.name,
        range: toVscodeRange(c.range),
        description: describeExpect(c.expect),
      })),
      diagnostics: parsed.diagnostics.map((d) => toVscodeDiagnostic(d, uri)),
    };
  }

  beginRun(): TestKindRun {
    const python = this.ctx.config.section('python');
    const base: GraderEngineOptions = {
      log: this.ctx.log,
      python: {
        allow: vscode.workspace.isTrusted,
        interpreter: python.interpreter,
        timeoutMs: python.timeoutSeconds * 1000,
        allowUnsandboxed: python.allowUnsandboxed,
      },
      textSimilarity: { tokenizerSwitch: this.ctx.config.value('grading.tokenizerSwitch') },
    };
    const engines: GraderEngine[] = [new GraderEngine(base)];
    const runner = new GraderTestRunner({
      engine: engines[0]!,
      allowPython: vscode.workspace.isTrusted,
      pythonRefusal: UNTRUSTED_PYTHON,
      modelAvailable: false,
      modelEngine: async () => {
        try {
          const provider = await this.ctx.providers.active();
          if (!provider)
            return 'This grader calls a model: add a provider (RFT Studio: Add Provider…) or start the local emulator.';
          if (!provider.modelGraders)
            return `This grader calls a model, and ${provider.label} cannot run model graders.`;
          const engine = new GraderEngine({ ...base, modelClient: provider.client });
          engines.push(engine);
          return engine;
        } catch (e) {
          return `This grader calls a model, and the active provider is not ready: ${(e as Error).message}`;
        }
      },
      readText: async (file) => {
        const open = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === file);
        if (open?.isDirty) return open.getText();
        return Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.file(file))).toString('utf8');
      },
    });
    return {
      runFile: (req) => this.runFile(runner, req),
      dispose: () => {
        for (const e of engines) e.dispose();
      },
    };
  }

  private async runFile(runner: GraderTestRunner, req: FileRunRequest): Promise<void> {
    const abort = new AbortController();
    const sub = req.token.onCancellationRequested(() => abort.abort());
    try {
      const text = req.text ?? Buffer.from(await vscode.workspace.fs.readFile(req.uri)).toString('utf8');
      const parsed = parseGraderTests(text);
      const byLine = new Map<number, string>();
      const k = keys(parsed.cases);
      parsed.cases.forEach((c, i) => byLine.set(c.line, k[i]!));
      const wanted = new Set(req.entries.map((e) => e.key));
      const lines = new Set(parsed.cases.filter((c) => wanted.has(byLine.get(c.line)!)).map((c) => c.line));
      for (const line of lines) req.report.started(byLine.get(line)!);
      await runner.runFile(req.uri.fsPath, {
        text,
        lines,
        signal: abort.signal,
        onResult: (r) => {
          const key = byLine.get(r.line);
          if (key) req.report.finished(key, outcomeOf(r));
        },
      });
    } finally {
      sub.dispose();
    }
  }
}
