// One dataset file opened in the preview: its line index (built in the worker thread, batch by batch), rows read
// on demand by byte offset, the editor's diagnostics for it, and filters/statistics run in the worker.
import * as path from 'node:path';
import { stat } from 'node:fs/promises';
import * as vscode from 'vscode';
import { LineIndex, readLines } from '../../core/preview/lineIndex';
import type { RowQuery } from '../../core/preview/rowSummary';
import { summarizeRow } from '../../core/preview/rowSummary';
import type { Logger } from '../../core/log';
import type {
  FilterReply,
  PreviewQuery,
  ProblemSeverity,
  ProblemView,
  RowDetailReply,
  RowView,
} from '../../shared/datasetPreviewProtocol';
import { parseFieldFilter } from '../../shared/datasetPreviewProtocol';
import { CancelledError, PreviewWorkerClient } from './previewWorkerClient';
import type { StatsJobOptions } from './workerProtocol';
import type { DatasetStats, PairStats } from '../../shared/datasetStats';

export interface IndexState {
  lines: number;
  bytesRead: number;
  totalBytes: number;
  done: boolean;
  ms: number;
  error?: string;
}

const SEVERITY: Partial<Record<vscode.DiagnosticSeverity, ProblemSeverity>> = {
  [vscode.DiagnosticSeverity.Error]: 'error',
  [vscode.DiagnosticSeverity.Warning]: 'warning',
  [vscode.DiagnosticSeverity.Information]: 'info',
};
const RANK: Record<ProblemSeverity, number> = { error: 0, warning: 1, info: 2 };
/** Rows served per detail request are capped so a pathological line cannot flood the webview. */
const DETAIL_MAX_BYTES = 8 * 1024 * 1024;

export class DatasetPreviewDocument implements vscode.CustomDocument {
  private worker: PreviewWorkerClient;
  private index = new LineIndex();
  private indexJob: number | undefined;
  private generation = 0;
  private readonly _onIndex = new vscode.EventEmitter<IndexState>();
  readonly onIndex = this._onIndex.event;
  private readonly _onProblems = new vscode.EventEmitter<void>();
  readonly onProblems = this._onProblems.event;
  private readonly _onReset = new vscode.EventEmitter<void>();
  /** The file changed on disk and is being indexed again. */
  readonly onReset = this._onReset.event;
  state: IndexState = { lines: 0, bytesRead: 0, totalBytes: 0, done: false, ms: 0 };
  private problems = new Map<number, ProblemView[]>();
  private readonly subs: vscode.Disposable[] = [];
  private filterJob: number | undefined;
  private statsJob: number | undefined;
  private readyWaiters: (() => void)[] = [];
  private lastNotify = 0;

  constructor(
    readonly uri: vscode.Uri,
    workerPath: string,
    private readonly log: Logger,
  ) {
    this.worker = new PreviewWorkerClient(workerPath, log);
    this.subs.push(
      vscode.languages.onDidChangeDiagnostics((e) => {
        if (e.uris.some((u) => u.toString() === uri.toString())) this.refreshProblems();
      }),
    );
    const watcher = vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(vscode.Uri.file(path.dirname(uri.fsPath)), path.basename(uri.fsPath)),
    );
    this.subs.push(
      watcher,
      watcher.onDidChange(() => this.reindex()),
      watcher.onDidCreate(() => this.reindex()),
    );
    this.refreshProblems();
  }

  get fsPath(): string {
    return this.uri.fsPath;
  }

  get fileName(): string {
    return path.basename(this.uri.fsPath);
  }

  /** Starts (or restarts) indexing in the worker; batches become readable rows as they arrive. */
  async startIndex(): Promise<void> {
    const gen = ++this.generation;
    this.index = new LineIndex();
    let totalBytes = 0;
    try {
      totalBytes = (await stat(this.fsPath)).size;
    } catch (e) {
      this.setState({
        lines: 0,
        bytesRead: 0,
        totalBytes: 0,
        done: true,
        ms: 0,
        error: (e as Error).message,
      });
      return;
    }
    if (gen !== this.generation) return;
    this.state = { lines: 0, bytesRead: 0, totalBytes, done: false, ms: 0 };
    const t0 = Date.now();
    const job = this.worker.start<{ lines: number; ms: number }>(
      { op: 'index', path: this.fsPath },
      {
        onBatch: (b) => {
          if (gen !== this.generation) return;
          this.index.append({ firstLine: b.firstLine, offsets: b.offsets, lengths: b.lengths });
          this.state = {
            ...this.state,
            lines: this.index.lineCount,
            bytesRead: b.bytesRead,
            ms: Date.now() - t0,
          };
          // The first batch at once (first rows on screen); later ones at most every 100 ms.
          const now = Date.now();
          if (b.firstLine === 0 || now - this.lastNotify > 100) {
            this.lastNotify = now;
            this._onIndex.fire(this.state);
          }
          this.flushWaiters();
        },
      },
    );
    this.indexJob = job.id;
    try {
      const r = await job.result;
      if (gen !== this.generation) return;
      this.setState({
        ...this.state,
        lines: r.lines,
        bytesRead: totalBytes,
        done: true,
        ms: Date.now() - t0,
      });
      this.log.info(`Dataset preview indexed ${this.fileName}: ${r.lines} lines in ${Date.now() - t0} ms`);
    } catch (e) {
      if (e instanceof CancelledError || gen !== this.generation) return;
      this.log.error(`Indexing ${this.fsPath} failed`, e);
      this.setState({ ...this.state, done: true, error: (e as Error).message });
    }
  }

  private setState(s: IndexState): void {
    this.state = s;
    this._onIndex.fire(s);
    this.flushWaiters();
  }

  private flushWaiters(): void {
    const w = this.readyWaiters;
    this.readyWaiters = [];
    for (const f of w) f();
  }

  private reindex(): void {
    if (this.indexJob !== undefined) this.worker.cancel(this.indexJob);
    this.log.info(`${this.fileName} changed on disk: indexing again`);
    this._onReset.fire();
    void this.startIndex();
  }

  /** Waits until `line` is indexed (or indexing ended). */
  private async whenIndexed(line: number): Promise<void> {
    while (line >= this.index.lineCount && !this.state.done) {
      await new Promise<void>((r) => this.readyWaiters.push(r));
    }
  }

  async rows(lines: number[]): Promise<RowView[]> {
    if (!lines.length) return [];
    const sorted = [...new Set(lines)].sort((a, b) => a - b);
    await this.whenIndexed(sorted[sorted.length - 1]);
    const out: RowView[] = [];
    // Read contiguous runs together.
    let i = 0;
    while (i < sorted.length) {
      let j = i + 1;
      while (j < sorted.length && sorted[j] === sorted[j - 1] + 1) j++;
      const read = await readLines(this.fsPath, this.index, sorted[i], sorted[j - 1] + 1, 1024 * 1024);
      for (const r of read) {
        const s = summarizeRow(r.line, r.text, this.index.length(r.line), r.truncated);
        const p = this.worstProblem(r.line);
        out.push({ ...s, ...(p ? { problem: p } : {}) } as RowView);
      }
      i = j;
    }
    return out;
  }

  async detail(line: number): Promise<RowDetailReply> {
    await this.whenIndexed(line);
    if (line >= this.index.lineCount) throw new Error(`line ${line + 1} is past the end of the file`);
    const [r] = await readLines(this.fsPath, this.index, line, line + 1, DETAIL_MAX_BYTES);
    return {
      line,
      text: r.text,
      truncated: r.truncated,
      bytes: this.index.length(line),
      problems: this.problems.get(line) ?? [],
    };
  }

  // ---- diagnostics ----
  private refreshProblems(): void {
    const map = new Map<number, ProblemView[]>();
    for (const d of vscode.languages.getDiagnostics(this.uri)) {
      const severity = SEVERITY[d.severity];
      if (!severity) continue;
      const line = d.range.start.line;
      const list = map.get(line) ?? [];
      list.push({
        line,
        severity,
        message: d.message,
        ...(d.code !== undefined
          ? { code: typeof d.code === 'object' ? String(d.code.value) : String(d.code) }
          : {}),
      });
      map.set(line, list);
    }
    this.problems = map;
    this._onProblems.fire();
  }

  private worstProblem(line: number): ProblemSeverity | undefined {
    const list = this.problems.get(line);
    if (!list?.length) return undefined;
    return list.reduce<ProblemSeverity>((w, p) => (RANK[p.severity] < RANK[w] ? p.severity : w), 'info');
  }

  problemLines(): { line: number; severity: ProblemSeverity }[] {
    return [...this.problems.keys()]
      .sort((a, b) => a - b)
      .map((line) => ({ line, severity: this.worstProblem(line)! }));
  }

  // ---- worker jobs ----
  async filter(q: PreviewQuery, onProgress: (scanned: number) => void): Promise<FilterReply> {
    if (this.filterJob !== undefined) this.worker.cancel(this.filterJob);
    const field = parseFieldFilter(q.field);
    const query: RowQuery = {
      ...(q.text.trim() ? { text: q.text.trim() } : {}),
      ...(q.kinds.length ? { kinds: q.kinds } : {}),
      ...(field ? { field } : {}),
    };
    if (q.field.trim() && !field)
      throw new Error('Write the field filter as path=value, e.g. reference_answer=trade');
    const problemLines = q.hasProblems ? [...this.problems.keys()].sort((a, b) => a - b) : undefined;
    const empty = !query.text && !query.kinds && !query.field;
    if (empty) return { lines: problemLines ?? null, scanned: this.state.lines };
    const job = this.worker.start<Uint32Array>(
      { op: 'filter', path: this.fsPath, query, ...(problemLines ? { onlyLines: problemLines } : {}) },
      { onProgress },
    );
    this.filterJob = job.id;
    const lines = await job.result;
    return { lines: Array.from(lines), scanned: this.state.lines };
  }

  async stats(
    opts: StatsJobOptions,
    validationPath: string | undefined,
    onProgress: (scanned: number) => void,
  ): Promise<DatasetStats | PairStats> {
    if (this.statsJob !== undefined) this.worker.cancel(this.statsJob);
    const job = this.worker.start<DatasetStats | PairStats>(
      { op: 'stats', path: this.fsPath, options: opts, ...(validationPath ? { validationPath } : {}) },
      { onProgress },
    );
    this.statsJob = job.id;
    return job.result;
  }

  dispose(): void {
    this.generation++;
    this.state = { ...this.state, done: true };
    this.worker.dispose();
    for (const s of this.subs) s.dispose();
    this._onIndex.dispose();
    this._onProblems.dispose();
    this._onReset.dispose();
    this.flushWaiters();
  }
}
