// RFT Studio's test controller (the VS Code Testing API): finds the test files of every registered kind in the
// workspace, keeps their items in step with edits, saves, creates and deletes, and runs them. A kind (grader unit
// tests; eval gates next) is a small TestKind object: which files, how a file becomes items, and how items run.
import * as vscode from 'vscode';
import { Disposable } from '../../core/lifecycle';
import { KeyedDebouncer } from '../../core/keyedDebouncer';
import type { HostLogger } from '../log';

/** One test inside a file, as a kind reads it. */
export interface TestEntry {
  /** Unique within the file and stable across edits that do not touch it (e.g. the case's name). */
  key: string;
  label: string;
  range: vscode.Range;
  description?: string;
}

export type TestOutcome =
  | { status: 'passed'; durationMs?: number; output?: string }
  | { status: 'failed'; message: string; expected?: string; actual?: string; durationMs?: number }
  | { status: 'errored'; message: string };

/** How a kind reports results: the controller forwards them to the TestRun, with the location at the test's line. */
export interface TestReport {
  started(entryKey: string): void;
  finished(entryKey: string, outcome: TestOutcome): void;
}

/** What a kind gets for one file when a run starts; it reports every entry it was given. */
export interface FileRunRequest {
  uri: vscode.Uri;
  /** The editor's text when the file is open (unsaved edits included), else undefined (read from disk). */
  text?: string;
  /** The entries to run (all of the file's when the whole file was chosen). */
  entries: TestEntry[];
  whole: boolean;
  report: TestReport;
  token: vscode.CancellationToken;
}

/** Run-scoped state of a kind (e.g. graders read once for the whole run). */
export interface TestKindRun {
  runFile(req: FileRunRequest): Promise<void>;
  dispose(): void;
}

export interface TestKind {
  readonly id: string;
  /** Glob of the kind's files, e.g. `**\/*.gradertest.jsonl`. */
  readonly pattern: string;
  matches(uri: vscode.Uri): boolean;
  /** The file's tests and the problems of lines that are not tests (shown in the Problems panel). */
  parse(uri: vscode.Uri, text: string): { entries: TestEntry[]; diagnostics: vscode.Diagnostic[] };
  beginRun(): TestKindRun;
}

/** A finished test as the in-editor tests read it (test mode only). */
export interface RecordedOutcome {
  id: string;
  label: string;
  file: string;
  line: number;
  outcome: TestOutcome;
}

interface ItemData {
  kind: TestKind;
  uri: vscode.Uri;
  entry?: TestEntry;
}

const EXCLUDE = '**/{node_modules,.git}/**';

export class RftTestController extends Disposable {
  readonly controller: vscode.TestController;
  private readonly diagnostics: vscode.DiagnosticCollection;
  private readonly data = new WeakMap<vscode.TestItem, ItemData>();
  private readonly debouncer: KeyedDebouncer;
  private readonly kinds: TestKind[] = [];
  /** Outcomes of the last run, for the in-editor tests. */
  readonly lastRun: RecordedOutcome[] = [];
  private discovered: Promise<void> = Promise.resolve();

  constructor(private readonly log: HostLogger) {
    super();
    this.controller = this._register(vscode.tests.createTestController('rftStudio', 'RFT Studio'));
    this.diagnostics = this._register(vscode.languages.createDiagnosticCollection('rftStudio.tests'));
    this.debouncer = this._register(
      new KeyedDebouncer({ delayMs: 300, onError: (e) => this.log.error('Test discovery failed', e) }),
    );
    this.controller.resolveHandler = async (item) => {
      if (!item) await this.discovered;
    };
    this.controller.refreshHandler = async () => {
      this.discovered = this.discoverAll();
      await this.discovered;
    };
    this._register(
      this.controller.createRunProfile(
        'Run',
        vscode.TestRunProfileKind.Run,
        (request, token) => this.run(request, token),
        true,
      ),
    );
    this._register(
      vscode.workspace.onDidChangeTextDocument((e) => {
        const kind = this.kindOf(e.document.uri);
        if (kind && e.contentChanges.length)
          this.debouncer.schedule(e.document.uri.toString(), () => this.updateFromText(kind, e.document));
      }),
    );
    this._register(
      vscode.workspace.onDidOpenTextDocument((doc) => {
        const kind = this.kindOf(doc.uri);
        if (kind) this.updateFromText(kind, doc);
      }),
    );
    // Closing an unsaved buffer reverts to what is on disk.
    this._register(
      vscode.workspace.onDidCloseTextDocument((doc) => {
        const kind = this.kindOf(doc.uri);
        if (kind) void this.updateFromDisk(kind, doc.uri);
      }),
    );
    this._register(vscode.workspace.onDidGrantWorkspaceTrust(() => this.controller.invalidateTestResults()));
  }

  /** Adds a kind of test: its files are discovered now and watched from then on. */
  addKind(kind: TestKind): void {
    this.kinds.push(kind);
    const watcher = this._register(vscode.workspace.createFileSystemWatcher(kind.pattern));
    this._register(watcher.onDidCreate((uri) => void this.updateFromDisk(kind, uri)));
    this._register(watcher.onDidChange((uri) => void this.updateFromDisk(kind, uri)));
    this._register(watcher.onDidDelete((uri) => this.remove(uri)));
    const previous = this.discovered;
    this.discovered = previous.then(() => this.discoverKind(kind));
  }

  /** Resolves once the workspace has been searched for test files. */
  whenDiscovered(): Promise<void> {
    return this.discovered;
  }

  private kindOf(uri: vscode.Uri): TestKind | undefined {
    if (uri.scheme !== 'file' && uri.scheme !== 'untitled') return undefined;
    return this.kinds.find((k) => k.matches(uri));
  }

  private async discoverAll(): Promise<void> {
    for (const kind of this.kinds) await this.discoverKind(kind);
  }

  private async discoverKind(kind: TestKind): Promise<void> {
    try {
      const uris = await vscode.workspace.findFiles(kind.pattern, EXCLUDE);
      await Promise.all(uris.map((uri) => this.updateFromDisk(kind, uri)));
    } catch (e) {
      this.log.error(`Could not search the workspace for ${kind.pattern}`, e);
    }
  }

  private openDocument(uri: vscode.Uri): vscode.TextDocument | undefined {
    return vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  }

  private async updateFromDisk(kind: TestKind, uri: vscode.Uri): Promise<void> {
    const doc = this.openDocument(uri);
    if (doc?.isDirty) return this.updateFromText(kind, doc);
    let text: string;
    try {
      text = Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8');
    } catch {
      // Deleted between the event and the read: the delete event removes it.
      return;
    }
    this.update(kind, uri, text);
  }

  private updateFromText(kind: TestKind, doc: vscode.TextDocument): void {
    // A reverted buffer may be closed by the time the debounced update runs: the file on disk is then the truth.
    if (doc.isClosed) void this.updateFromDisk(kind, doc.uri);
    else this.update(kind, doc.uri, doc.getText());
  }

  private update(kind: TestKind, uri: vscode.Uri, text: string): void {
    const { entries, diagnostics } = kind.parse(uri, text);
    this.diagnostics.set(uri, diagnostics);
    const id = uri.toString();
    const broken = diagnostics.some((d) => d.severity === vscode.DiagnosticSeverity.Error);
    // A file with nothing to run (an eval spec without gates, an empty test file) is not listed.
    if (!entries.length && !broken) {
      this.controller.items.delete(id);
      return;
    }
    let file = this.controller.items.get(id);
    if (!file) {
      file = this.controller.createTestItem(id, vscode.workspace.asRelativePath(uri), uri);
      this.data.set(file, { kind, uri });
      this.controller.items.add(file);
    }
    file.error = broken
      ? new vscode.MarkdownString(`Some lines are not valid tests: see the Problems panel.`)
      : undefined;
    const children: vscode.TestItem[] = [];
    for (const entry of entries) {
      const childId = `${id}#${entry.key}`;
      const child = file.children.get(childId) ?? this.controller.createTestItem(childId, entry.label, uri);
      child.label = entry.label;
      child.range = entry.range;
      child.description = entry.description;
      this.data.set(child, { kind, uri, entry });
      children.push(child);
    }
    file.children.replace(children);
  }

  private remove(uri: vscode.Uri): void {
    this.controller.items.delete(uri.toString());
    this.diagnostics.delete(uri);
  }

  /** The run handler; also what the in-editor tests call (with the items to run). */
  async run(request: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> {
    await this.discovered;
    const excluded = new Set((request.exclude ?? []).map((i) => i.id));
    const byFile = new Map<vscode.TestItem, { whole: boolean; items: Set<vscode.TestItem> }>();
    const add = (item: vscode.TestItem) => {
      if (excluded.has(item.id)) return;
      const d = this.data.get(item);
      if (!d) return;
      const file = d.entry ? item.parent : item;
      if (!file) return;
      const slot = byFile.get(file) ?? { whole: false, items: new Set<vscode.TestItem>() };
      byFile.set(file, slot);
      if (d.entry) slot.items.add(item);
      else {
        slot.whole = true;
        file.children.forEach((c) => {
          if (!excluded.has(c.id)) slot.items.add(c);
        });
      }
    };
    if (request.include) request.include.forEach(add);
    else this.controller.items.forEach(add);

    const run = this.controller.createTestRun(request);
    this.lastRun.length = 0;
    const kindRuns = new Map<TestKind, TestKindRun>();
    try {
      for (const [file, slot] of byFile) {
        if (token.isCancellationRequested) break;
        const d = this.data.get(file)!;
        let kindRun = kindRuns.get(d.kind);
        if (!kindRun) kindRuns.set(d.kind, (kindRun = d.kind.beginRun()));
        const items = new Map<string, vscode.TestItem>();
        for (const item of slot.items) items.set(this.data.get(item)!.entry!.key, item);
        for (const item of items.values()) run.enqueued(item);
        const report: TestReport = {
          started: (key) => {
            const item = items.get(key);
            if (item) run.started(item);
          },
          finished: (key, outcome) => {
            const item = items.get(key);
            if (item) this.finish(run, item, outcome);
          },
        };
        try {
          await kindRun.runFile({
            uri: d.uri,
            text: this.openDocument(d.uri)?.getText(),
            entries: [...slot.items].map((i) => this.data.get(i)!.entry!),
            whole: slot.whole,
            report,
            token,
          });
        } catch (e) {
          for (const item of items.values())
            this.finish(run, item, { status: 'errored', message: (e as Error).message ?? String(e) });
        }
      }
    } finally {
      for (const k of kindRuns.values()) k.dispose();
      run.end();
    }
  }

  private finish(run: vscode.TestRun, item: vscode.TestItem, outcome: TestOutcome): void {
    const location = item.uri && item.range ? new vscode.Location(item.uri, item.range) : undefined;
    this.lastRun.push({
      id: item.id,
      label: item.label,
      file: item.uri?.fsPath ?? '',
      line: item.range?.start.line ?? -1,
      outcome,
    });
    switch (outcome.status) {
      case 'passed':
        if (outcome.output) run.appendOutput(`✔ ${item.label}: ${outcome.output}\r\n`, location, item);
        run.passed(item, outcome.durationMs);
        break;
      case 'failed': {
        const message =
          outcome.expected !== undefined && outcome.actual !== undefined
            ? vscode.TestMessage.diff(outcome.message, outcome.expected, outcome.actual)
            : new vscode.TestMessage(outcome.message);
        message.location = location;
        run.appendOutput(`✘ ${item.label}: ${outcome.message}\r\n`, location, item);
        run.failed(item, message, outcome.durationMs);
        break;
      }
      case 'errored': {
        const message = new vscode.TestMessage(outcome.message);
        message.location = location;
        run.appendOutput(`! ${item.label}: ${outcome.message}\r\n`, location, item);
        run.errored(item, message);
        break;
      }
    }
  }
}
