// Diagnostics for .jsonl datasets: an incremental model per open document re-checked as you type (debounced per
// document), results of "Validate Dataset File…" for files on disk, and overlap checks of a training/validation pair.
import type * as fs from 'node:fs';
import { stat } from 'node:fs/promises';
import * as vscode from 'vscode';
import type { Diagnostic } from '../../core/diagnostics';
import { DatasetDocumentModel } from '../../core/datasets/documentModel';
import type { DatasetReport } from '../../core/datasets/validate';
import { validatePair } from '../../core/datasets/validate';
import { KeyedDebouncer } from '../../core/keyedDebouncer';
import { Disposable, toDisposable } from '../../core/lifecycle';
import { toVscodeDiagnostic } from '../diagnosticsAdapter';
import type { HostContext } from '../hostContext';
import type { DatasetSettings } from './datasetFiles';
import { hasBomOnDisk, isDatasetDocument, sameFile } from './datasetFiles';
import { validateFileOffThread } from './fileValidation';

/** Typing pauses shorter than this do not re-publish (the model itself updates on every change). */
const TYPING_DELAY_MS = 60;

interface OpenDataset {
  model: DatasetDocumentModel;
  report: DatasetReport;
  version: number;
}

interface DiskResult {
  report: DatasetReport;
  mtimeMs: number;
  size: number;
}

export class DatasetDiagnostics extends Disposable {
  private readonly collection = this._register(
    vscode.languages.createDiagnosticCollection('rft-studio-datasets'),
  );
  private readonly open = new Map<string, OpenDataset>();
  private readonly disk = new Map<string, DiskResult>();
  private readonly debouncer: KeyedDebouncer;
  private readonly _onDidChangeReports = this._register(new vscode.EventEmitter<void>());
  /** An open document's report changed or a document stopped being tracked. */
  readonly onDidChangeReports = this._onDidChangeReports.event;

  constructor(
    private readonly ctx: HostContext,
    private readonly settings: DatasetSettings,
  ) {
    super();
    this.debouncer = this._register(
      new KeyedDebouncer({
        delayMs: TYPING_DELAY_MS,
        onError: (e) => ctx.log.error('Dataset validation failed', e),
      }),
    );
    this._register(vscode.workspace.onDidOpenTextDocument((d) => this.track(d)));
    this._register(vscode.workspace.onDidCloseTextDocument((d) => this.untrack(d)));
    this._register(vscode.workspace.onDidChangeTextDocument((e) => this.applyEdit(e)));
    this._register(
      ctx.config.onDidChange((e) => {
        if (!ctx.config.affects(e, 'datasets')) return;
        for (const doc of vscode.workspace.textDocuments) {
          this.untrack(doc);
          this.track(doc);
        }
      }),
    );
    this._register(toDisposable(() => this.open.clear()));
    for (const doc of vscode.workspace.textDocuments) this.track(doc);
  }

  /** The latest report of an open, tracked document (with pair diagnostics once they are computed). */
  openReport(uri: vscode.Uri): DatasetReport | undefined {
    return this.open.get(uri.toString())?.report;
  }

  /**
   * Records a disk validation and publishes it (with the pair checks) unless the file is open: an open editor keeps
   * its live diagnostics. Returns every diagnostic of the file.
   */
  async publishDiskReport(uri: vscode.Uri, report: DatasetReport, st: fs.Stats): Promise<Diagnostic[]> {
    this.disk.set(uri.toString(), { report, mtimeMs: st.mtimeMs, size: st.size });
    const diagnostics = [...report.diagnostics, ...(await this.pairDiagnostics(uri))];
    if (!this.open.has(uri.toString())) this.publish(uri, diagnostics);
    return diagnostics;
  }

  private track(doc: vscode.TextDocument): void {
    if (this.isDisposed || !isDatasetDocument(doc) || !this.settings.forFile(doc.uri).validateOnType) return;
    const model = new DatasetDocumentModel({
      ...this.settings.optionsFor(doc.uri),
      hasBom: hasBomOnDisk(doc),
      eol: doc.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n',
      bomInTextShifts: true,
    });
    model.setText(doc.getText());
    this.open.set(doc.uri.toString(), { model, report: model.report(), version: doc.version });
    this.schedule(doc, 0);
  }

  private untrack(doc: vscode.TextDocument): void {
    const key = doc.uri.toString();
    this.debouncer.cancel(key);
    if (!this.open.delete(key)) return;
    const onDisk = this.disk.get(key);
    if (onDisk) this.publish(doc.uri, onDisk.report.diagnostics);
    else this.collection.delete(doc.uri);
    this._onDidChangeReports.fire();
  }

  private applyEdit(e: vscode.TextDocumentChangeEvent): void {
    const o = this.open.get(e.document.uri.toString());
    if (!o || e.contentChanges.length === 0) return;
    try {
      for (const c of e.contentChanges) {
        o.model.applyChange({
          startLine: c.range.start.line,
          startCharacter: c.range.start.character,
          endLine: c.range.end.line,
          endCharacter: c.range.end.character,
          text: c.text,
        });
      }
      if (o.model.lineCount !== e.document.lineCount) throw new Error('line count drifted');
    } catch (err) {
      this.ctx.log.warn(
        `Re-reading ${e.document.uri.fsPath} after an edit the incremental model could not follow`,
        err,
      );
      o.model.setText(e.document.getText());
    }
    this.schedule(e.document);
  }

  private schedule(doc: vscode.TextDocument, delayMs?: number): void {
    this.debouncer.schedule(doc.uri.toString(), () => this.publishOpen(doc), delayMs);
  }

  private async publishOpen(doc: vscode.TextDocument): Promise<void> {
    const key = doc.uri.toString();
    const o = this.open.get(key);
    if (!o) return;
    o.report = o.model.report();
    o.version = doc.version;
    const extra = await this.pairDiagnostics(doc.uri);
    if (this.open.get(key) !== o || o.version !== doc.version) return;
    o.report = { ...o.report, diagnostics: [...o.report.diagnostics, ...extra] };
    this.publish(doc.uri, o.report.diagnostics);
    this._onDidChangeReports.fire();
    // The validation file of a pair shows overlaps with this file: refresh it too.
    const pair = this.settings.pairOf(doc.uri);
    if (pair && sameFile(doc.uri, pair.training)) {
      const validation = vscode.workspace.textDocuments.find((d) => sameFile(d.uri, pair.validation));
      if (validation) this.schedule(validation, 0);
    }
  }

  private publish(uri: vscode.Uri, diagnostics: readonly Diagnostic[]): void {
    if (this.isDisposed) return;
    this.collection.set(
      uri,
      diagnostics.map((d) => toVscodeDiagnostic(d, uri)),
    );
  }

  /** Overlap checks, shown on the validation file of a pair. */
  private async pairDiagnostics(uri: vscode.Uri): Promise<Diagnostic[]> {
    const pair = this.settings.pairOf(uri);
    if (!pair || !sameFile(uri, pair.validation)) return [];
    try {
      const [train, valid] = await Promise.all([
        this.reportWithFingerprints(pair.training),
        this.reportWithFingerprints(pair.validation),
      ]);
      if (!train || !valid) return [];
      return validatePair(train, valid, { trainingPath: pair.training });
    } catch (e) {
      this.ctx.log.warn(`Pair check of ${pair.training} and ${pair.validation} failed`, e);
      return [];
    }
  }

  /** A report with example fingerprints for a file: the open model, or the disk validation (cached by mtime). */
  private async reportWithFingerprints(file: string): Promise<DatasetReport | undefined> {
    const uri = vscode.Uri.file(file);
    const o = this.open.get(uri.toString());
    if (o) return { ...o.report, fingerprints: o.model.fingerprints().toFingerprints() };
    let st: fs.Stats;
    try {
      st = await stat(file);
    } catch {
      return undefined;
    }
    const cached = this.disk.get(uri.toString());
    if (cached && cached.mtimeMs === st.mtimeMs && cached.size === st.size && cached.report.fingerprints)
      return cached.report;
    const report = await validateFileOffThread({
      extensionPath: this.ctx.extension.extensionPath,
      file,
      options: this.settings.optionsFor(uri),
    });
    this.disk.set(uri.toString(), { report, mtimeMs: st.mtimeMs, size: st.size });
    return report;
  }
}
