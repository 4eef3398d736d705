// Datasets in the editor: diagnostics as you type for .jsonl files (incremental model per document),
// "Validate Dataset File…" for files on disk (worker thread), training/validation pairs from settings,
// a status-bar item, and quick fixes as undoable edits.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Diagnostic } from '../../core/diagnostics';
import { countBySeverity } from '../../core/diagnostics';
import { DatasetDocumentModel } from '../../core/datasets/documentModel';
import type { LineSource } from '../../core/datasets/fixes';
import { fixAllFor, fixesFor } from '../../core/datasets/fixes';
import { FORMAT_LABEL } from '../../core/datasets/format';
import type { DatasetReport, DatasetValidationOptions } from '../../core/datasets/validate';
import { validatePair } from '../../core/datasets/validate';
import { DIAGNOSTIC_SOURCE, toVscodeDiagnostic, toVscodeRange } from '../diagnosticsAdapter';
import type { HostContext } from '../hostContext';
import { ValidationCancelled, validateFileOffThread } from './fileValidation';

export const VALIDATE_FILE_COMMAND = 'rftStudio.validateDatasetFile';

interface PairSetting {
  training: string;
  validation: string;
}

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

export function isDatasetDocument(doc: vscode.TextDocument): boolean {
  if (doc.uri.scheme !== 'file' && doc.uri.scheme !== 'untitled' && doc.uri.scheme !== 'vscode-remote')
    return false;
  return doc.languageId === 'jsonl' || doc.uri.path.toLowerCase().endsWith('.jsonl');
}

function hasBomOnDisk(doc: vscode.TextDocument): boolean {
  const encoding = (doc as { encoding?: string }).encoding;
  if (typeof encoding === 'string') return encoding === 'utf8bom';
  if (doc.uri.scheme !== 'file') return false;
  try {
    const fd = fs.openSync(doc.uri.fsPath, 'r');
    try {
      const b = Buffer.alloc(3);
      const n = fs.readSync(fd, b, 0, 3, 0);
      return n === 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf;
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return false;
  }
}

function docLines(doc: vscode.TextDocument): LineSource {
  return { lineAt: (i) => doc.lineAt(i).text, lineCount: doc.lineCount };
}

export function registerDatasets(ctx: HostContext): vscode.Disposable {
  const disposables: vscode.Disposable[] = [];
  const collection = vscode.languages.createDiagnosticCollection('rft-studio-datasets');
  disposables.push(collection);
  const open = new Map<string, OpenDataset>();
  const disk = new Map<string, DiskResult>();
  const timers = new Map<string, NodeJS.Timeout>();

  const settings = (scope?: vscode.Uri) => ({
    format: ctx.config.get<'auto' | 'rft' | 'sft' | 'dpo'>('datasets.format', 'auto', scope),
    provider: ctx.config.get<'openai' | 'azure'>('datasets.provider', 'openai', scope),
    maxPerRule: ctx.config.get<number>('datasets.maxProblemsPerRule', 1000, scope),
    referenceField: ctx.config.get<string>('datasets.referenceField', 'reference_answer', scope),
    enabled: ctx.config.get<boolean>('datasets.validateOnType', true, scope),
    pairs: ctx.config.get<PairSetting[]>('datasets.pairs', [], scope),
  });

  const resolvePath = (p: string, scope: vscode.Uri): string => {
    if (path.isAbsolute(p)) return path.normalize(p);
    const folder = vscode.workspace.getWorkspaceFolder(scope) ?? vscode.workspace.workspaceFolders?.[0];
    return path.normalize(path.join(folder?.uri.fsPath ?? '', p));
  };

  /** The pair this file belongs to, as absolute paths. */
  const pairOf = (uri: vscode.Uri): { training: string; validation: string } | undefined => {
    if (uri.scheme !== 'file') return undefined;
    const me = path.normalize(uri.fsPath);
    for (const p of settings(uri).pairs) {
      if (!p || typeof p.training !== 'string' || typeof p.validation !== 'string') continue;
      const training = resolvePath(p.training, uri);
      const validation = resolvePath(p.validation, uri);
      if (me === training || me === validation) return { training, validation };
    }
    return undefined;
  };

  const optionsFor = (
    uri: vscode.Uri,
    pair?: { training: string; validation: string },
  ): DatasetValidationOptions => {
    const s = settings(uri);
    const me = uri.scheme === 'file' ? path.normalize(uri.fsPath) : undefined;
    return {
      format: s.format,
      provider: s.provider,
      maxPerRule: s.maxPerRule,
      fileName: uri.scheme === 'file' ? uri.fsPath : uri.path,
      role: pair ? (me === pair.validation ? 'validation' : 'training') : undefined,
    };
  };

  /** A report with example fingerprints for a file: the open model, or the disk validation (cached by mtime). */
  const reportWithFingerprints = async (file: string): Promise<DatasetReport | undefined> => {
    const uri = vscode.Uri.file(file);
    const o = open.get(uri.toString());
    if (o) return { ...o.report, fingerprints: o.model.fingerprints().toFingerprints() };
    let st: fs.Stats;
    try {
      st = await fs.promises.stat(file);
    } catch {
      return undefined;
    }
    const cached = disk.get(uri.toString());
    if (cached && cached.mtimeMs === st.mtimeMs && cached.size === st.size && cached.report.fingerprints)
      return cached.report;
    const report = await validateFileOffThread({
      extensionPath: ctx.extension.extensionPath,
      file,
      options: stripFns(optionsFor(uri, pairOf(uri))),
    });
    disk.set(uri.toString(), { report, mtimeMs: st.mtimeMs, size: st.size });
    return report;
  };

  const pairDiagnostics = async (uri: vscode.Uri): Promise<Diagnostic[]> => {
    const pair = pairOf(uri);
    if (!pair || path.normalize(uri.fsPath) !== pair.validation) return [];
    try {
      const [train, valid] = await Promise.all([
        reportWithFingerprints(pair.training),
        reportWithFingerprints(pair.validation),
      ]);
      if (!train || !valid) return [];
      return validatePair(train, valid, { trainingPath: pair.training });
    } catch (e) {
      ctx.log.warn(`Pair check of ${pair.training} and ${pair.validation} failed`, e);
      return [];
    }
  };

  const publish = (uri: vscode.Uri, diags: readonly Diagnostic[]) => {
    collection.set(
      uri,
      diags.map((d) => toVscodeDiagnostic(d, uri)),
    );
  };

  const publishOpen = async (doc: vscode.TextDocument) => {
    const key = doc.uri.toString();
    const o = open.get(key);
    if (!o) return;
    o.report = o.model.report();
    o.version = doc.version;
    const extra = await pairDiagnostics(doc.uri);
    if (open.get(key) !== o || o.version !== doc.version) return;
    o.report = { ...o.report, diagnostics: [...o.report.diagnostics, ...extra] };
    publish(doc.uri, o.report.diagnostics);
    updateStatus();
    // The validation file of a pair shows overlaps with this file: refresh it too.
    const pair = pairOf(doc.uri);
    if (pair && path.normalize(doc.uri.fsPath) === pair.training) {
      const v = vscode.workspace.textDocuments.find(
        (d) => d.uri.scheme === 'file' && path.normalize(d.uri.fsPath) === pair.validation,
      );
      if (v) schedule(v, 0);
    }
  };

  const schedule = (doc: vscode.TextDocument, delay = 60) => {
    const key = doc.uri.toString();
    clearTimeout(timers.get(key));
    timers.set(
      key,
      setTimeout(() => {
        timers.delete(key);
        publishOpen(doc).catch((e) => ctx.log.error('Dataset validation failed', e));
      }, delay),
    );
  };

  const track = (doc: vscode.TextDocument) => {
    if (!isDatasetDocument(doc)) return;
    const s = settings(doc.uri);
    if (!s.enabled) return;
    const model = new DatasetDocumentModel({
      ...optionsFor(doc.uri, pairOf(doc.uri)),
      hasBom: hasBomOnDisk(doc),
      eol: doc.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n',
      bomInTextShifts: true,
    });
    model.setText(doc.getText());
    open.set(doc.uri.toString(), { model, report: model.report(), version: doc.version });
    schedule(doc, 0);
  };

  const untrack = (doc: vscode.TextDocument) => {
    const key = doc.uri.toString();
    clearTimeout(timers.get(key));
    timers.delete(key);
    if (open.delete(key)) {
      if (disk.has(key)) publish(doc.uri, disk.get(key)!.report.diagnostics);
      else collection.delete(doc.uri);
      updateStatus();
    }
  };

  disposables.push(
    vscode.workspace.onDidOpenTextDocument(track),
    vscode.workspace.onDidCloseTextDocument(untrack),
    vscode.workspace.onDidChangeTextDocument((e) => {
      const o = open.get(e.document.uri.toString());
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
        ctx.log.warn(
          `Re-reading ${e.document.uri.fsPath} after an edit the incremental model could not follow`,
          err,
        );
        o.model.setText(e.document.getText());
      }
      schedule(e.document);
    }),
    ctx.config.onDidChange((e) => {
      if (!e.affectsConfiguration('rftStudio.datasets')) return;
      for (const doc of vscode.workspace.textDocuments) {
        untrack(doc);
        track(doc);
      }
    }),
  );
  for (const doc of vscode.workspace.textDocuments) track(doc);

  // Status bar: format, example count and problems of the active dataset.
  const status = vscode.window.createStatusBarItem(
    'rftStudio.datasetStatus',
    vscode.StatusBarAlignment.Right,
    100,
  );
  status.name = 'RFT Studio dataset';
  status.command = 'workbench.actions.view.problems';
  disposables.push(status);
  const updateStatus = () => {
    const doc = vscode.window.activeTextEditor?.document;
    const o = doc && open.get(doc.uri.toString());
    if (!o) {
      status.hide();
      return;
    }
    const r = o.report;
    const c = countBySeverity(r.diagnostics);
    const fmt =
      r.format === 'rft' || r.format === 'sft' || r.format === 'dpo'
        ? r.format.toUpperCase()
        : FORMAT_LABEL[r.format];
    status.text = `$(database) ${fmt} · ${r.examples.toLocaleString('en-US')} examples · $(error) ${c.error} $(warning) ${c.warning}`;
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**${FORMAT_LABEL[r.format]}** — ${r.formatReason ?? ''}\n\n`);
    md.appendMarkdown(
      `${r.examples.toLocaleString('en-US')} examples, ${(r.bytes / 1024).toFixed(1)} KB${r.hasBom ? ', UTF-8 with BOM' : ''}\n\n`,
    );
    md.appendMarkdown(
      `${c.error} error(s), ${c.warning} warning(s), ${c.info} info — click to open Problems`,
    );
    status.tooltip = md;
    status.backgroundColor = c.error ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    status.show();
  };
  disposables.push(vscode.window.onDidChangeActiveTextEditor(updateStatus));
  updateStatus();

  // Quick fixes.
  const findCore = (doc: vscode.TextDocument, d: vscode.Diagnostic): Diagnostic | undefined => {
    const o = open.get(doc.uri.toString());
    const code =
      typeof d.code === 'string' ? d.code : typeof d.code === 'object' ? String(d.code.value) : undefined;
    return o?.report.diagnostics.find(
      (c) =>
        c.code === code &&
        c.range.start.line === d.range.start.line &&
        c.range.start.character === d.range.start.character &&
        c.range.end.line === d.range.end.line &&
        c.range.end.character === d.range.end.character,
    );
  };
  const toWorkspaceEdit = (
    doc: vscode.TextDocument,
    edits: { range: Diagnostic['range']; newText: string }[],
  ) => {
    const we = new vscode.WorkspaceEdit();
    for (const e of edits) we.replace(doc.uri, toVscodeRange(e.range), e.newText);
    return we;
  };
  disposables.push(
    vscode.languages.registerCodeActionsProvider(
      [{ language: 'jsonl' }, { pattern: '**/*.jsonl' }],
      {
        provideCodeActions(doc, _range, context) {
          const o = open.get(doc.uri.toString());
          if (!o) return [];
          const referenceField = settings(doc.uri).referenceField;
          const actions: vscode.CodeAction[] = [];
          const fixAllOffered = new Set<string>();
          for (const vd of context.diagnostics) {
            if (vd.source !== DIAGNOSTIC_SOURCE) continue;
            const core = findCore(doc, vd);
            if (!core) continue;
            for (const fix of fixesFor(docLines(doc), core, { referenceField })) {
              const a = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
              a.diagnostics = [vd];
              a.isPreferred = fix.preferred;
              a.edit = toWorkspaceEdit(doc, fix.edits);
              actions.push(a);
              const same = o.report.diagnostics.filter((x) => x.code === core.code);
              if (
                same.length > 1 &&
                !fixAllOffered.has(core.code) &&
                core.code !== 'dataset/duplicate-example'
              ) {
                fixAllOffered.add(core.code);
                const edits = fixAllFor(docLines(doc), same, core.code, { referenceField });
                if (edits.length > 1) {
                  const all = new vscode.CodeAction(
                    `Fix all "${core.code}" problems in this file (${edits.length})`,
                    vscode.CodeActionKind.QuickFix,
                  );
                  all.edit = toWorkspaceEdit(doc, edits);
                  all.diagnostics = [vd];
                  actions.push(all);
                }
              }
            }
          }
          return actions;
        },
      },
      { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] },
    ),
  );

  // Validate a file from disk (any size) off the main thread.
  disposables.push(
    vscode.commands.registerCommand(VALIDATE_FILE_COMMAND, async (arg?: vscode.Uri, all?: vscode.Uri[]) => {
      let uris = (all?.length ? all : arg instanceof vscode.Uri ? [arg] : []).filter(
        (u) => u.scheme === 'file',
      );
      if (!uris.length) {
        const active = vscode.window.activeTextEditor?.document;
        const picked = await vscode.window.showOpenDialog({
          canSelectMany: true,
          openLabel: 'Validate',
          title: 'Validate Dataset File',
          filters: { 'JSON Lines': ['jsonl'], 'All files': ['*'] },
          defaultUri:
            active && isDatasetDocument(active) ? active.uri : vscode.workspace.workspaceFolders?.[0]?.uri,
        });
        if (!picked?.length) return undefined;
        uris = picked;
      }
      const results: { uri: vscode.Uri; report: DatasetReport }[] = [];
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Validating dataset', cancellable: true },
        async (progress, token) => {
          const controller = new AbortController();
          token.onCancellationRequested(() => controller.abort());
          for (const uri of uris) {
            const name = path.basename(uri.fsPath);
            let st: fs.Stats;
            try {
              st = await fs.promises.stat(uri.fsPath);
            } catch (e) {
              void vscode.window.showErrorMessage(`Cannot read ${name}: ${(e as Error).message}`);
              continue;
            }
            let last = 0;
            try {
              const report = await validateFileOffThread({
                extensionPath: ctx.extension.extensionPath,
                file: uri.fsPath,
                options: stripFns(optionsFor(uri, pairOf(uri))),
                signal: controller.signal,
                onProgress: (lines, bytes) => {
                  const pct = st.size ? (bytes / st.size) * 100 : 100;
                  progress.report({
                    message: `${name}: ${lines.toLocaleString('en-US')} lines`,
                    increment: Math.max(0, pct - last) / uris.length,
                  });
                  last = pct;
                },
              });
              disk.set(uri.toString(), { report, mtimeMs: st.mtimeMs, size: st.size });
              const extra = await pairDiagnostics(uri);
              const diags = [...report.diagnostics, ...extra];
              // An open, up-to-date editor keeps its live diagnostics; otherwise show what is on disk.
              const live = open.get(uri.toString());
              if (!live) publish(uri, diags);
              results.push({ uri, report: { ...report, diagnostics: diags } });
            } catch (e) {
              if (e instanceof ValidationCancelled) return;
              ctx.log.error(`Validating ${uri.fsPath} failed`, e);
              void vscode.window
                .showErrorMessage(`Validating ${name} failed: ${(e as Error).message}`, 'Show Log')
                .then((a) => {
                  if (a) ctx.log.show();
                });
            }
          }
        },
      );
      if (results.length) {
        const summary = results
          .map(({ uri, report }) => {
            const c = countBySeverity(report.diagnostics);
            return `${path.basename(uri.fsPath)}: ${FORMAT_LABEL[report.format]}, ${report.examples.toLocaleString('en-US')} examples, ${c.error} error(s), ${c.warning} warning(s)`;
          })
          .join('; ');
        const anyProblem = results.some((r) =>
          r.report.diagnostics.some((d) => d.severity === 'error' || d.severity === 'warning'),
        );
        void (
          anyProblem
            ? vscode.window.showWarningMessage(summary, 'Show Problems')
            : vscode.window.showInformationMessage(summary, 'Show Problems')
        ).then((a) => {
          if (a) void vscode.commands.executeCommand('workbench.actions.view.problems');
        });
      }
      return results.map((r) => ({
        path: r.uri.fsPath,
        format: r.report.format,
        examples: r.report.examples,
        diagnostics: r.report.diagnostics.length,
      }));
    }),
  );

  return new vscode.Disposable(() => {
    for (const t of timers.values()) clearTimeout(t);
    for (const d of disposables) d.dispose();
  });
}

function stripFns(o: DatasetValidationOptions): Omit<DatasetValidationOptions, 'signal' | 'onProgress'> {
  const { signal: _s, onProgress: _p, ...rest } = o;
  return rest;
}
