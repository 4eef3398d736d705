// "RFT Studio: Map Codes to Names…", "Sample Balanced Subset…" and "Split Dataset…": prompts for what the command
// needs, computes the result without writing, shows a per-label summary, and only then writes new files (never the
// input) and opens them. Each command also takes an args object (tests, keybindings) that skips the prompts it fills.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { HostContext } from '../hostContext';
import type { MapReport } from '../../core/prep/mapCodes';
import type { SampleReport, SplitReport } from '../../core/prep/runPrep';
import {
  askSavePath,
  askSeed,
  Cancelled,
  openResults,
  pickDataset,
  pickField,
  showMarkdownReport,
  showSummary,
  withPrepProgress,
} from './prepPrompts';

export const MAP_CODES_COMMAND = 'rftStudio.mapCodes';
export const SAMPLE_DATASET_COMMAND = 'rftStudio.sampleDataset';
export const SPLIT_DATASET_COMMAND = 'rftStudio.splitDataset';

interface CommonArgs {
  /** Dataset path (absolute, or relative to the first workspace folder). */
  file?: string;
  field?: string;
  /** false: write without showing the summary. */
  confirm?: boolean;
  /** false: do not open the written files. */
  open?: boolean;
}
export interface MapArgs extends CommonArgs {
  mapping?: string;
  out?: string;
}
export interface SampleArgs extends CommonArgs {
  n?: number;
  seed?: string;
  out?: string;
}
export interface SplitArgs extends CommonArgs {
  validFraction?: number;
  validCount?: number;
  seed?: string;
  trainOut?: string;
  validOut?: string;
}

const int = (n: number) => n.toLocaleString('en-US');
const pct = (n: number) => `${n.toFixed(1)}%`;

function workspaceRoot(): string | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
}

function resolvePath(p: string): string {
  if (path.isAbsolute(p)) return p;
  const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
  return path.resolve(root, p);
}

/** Separates the explorer's Uri argument from a test's args object. */
function splitArgs<T extends CommonArgs>(a: unknown): { uri?: vscode.Uri; args: T } {
  if (a instanceof vscode.Uri) return { uri: a, args: {} as T };
  if (a && typeof a === 'object') {
    const args = a as T;
    return { uri: args.file ? vscode.Uri.file(resolvePath(args.file)) : undefined, args };
  }
  return { args: {} as T };
}

const prep = () => import('../../core/prep/runPrep');
const paths = () => import('../../core/prep/jsonPath');
const cli = () => import('../../core/prep/prepCli');

async function fieldFor(file: string, title: string, given?: string) {
  const { parseJsonPath, JsonPathError } = await paths();
  const validate = (t: string) => {
    try {
      parseJsonPath(t);
      return undefined;
    } catch (e) {
      return e instanceof JsonPathError ? e.message : String(e);
    }
  };
  const text =
    given ??
    (await pickField(
      file,
      title,
      async () => (await import('../../core/prep/fields')).discoverFields(file),
      validate,
    ));
  return parseJsonPath(text);
}

/** Shows errors where the user acted: bad lines with a jump to the first one, request errors as they are. */
async function guarded<T>(ctx: HostContext, what: string, run: () => Promise<T>): Promise<T | undefined> {
  const { PrepInputError, PrepRequestError } = await prep();
  const { JsonPathError } = await paths();
  const { MappingError } = await import('../../core/prep/mapping');
  const { OutputPathError } = await import('../../core/prep/dataset');
  try {
    return await run();
  } catch (e) {
    if (e instanceof Cancelled) {
      ctx.log.info(`${what}: cancelled, nothing written`);
      return undefined;
    }
    if (e instanceof PrepInputError) {
      const first = e.lines[0];
      const choice = await vscode.window.showErrorMessage(
        `${what}: ${e.lines.length} line(s) are not JSON objects; nothing was written.`,
        { detail: e.message },
        ...(first ? ['Go to First Bad Line'] : []),
      );
      if (choice && first) {
        const file = /^(.*?): \d+ line\(s\)/.exec(e.message)?.[1];
        if (file) {
          const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
          const pos = new vscode.Position(first.line - 1, 0);
          await vscode.window.showTextDocument(doc, { selection: new vscode.Range(pos, pos) });
        }
      }
      return undefined;
    }
    if (
      e instanceof PrepRequestError ||
      e instanceof JsonPathError ||
      e instanceof MappingError ||
      e instanceof OutputPathError
    ) {
      void vscode.window.showErrorMessage(`${what}: ${e.message}`);
      return undefined;
    }
    ctx.log.error(`${what} failed`, e);
    const choice = await vscode.window.showErrorMessage(
      `${what} failed: ${(e as Error)?.message ?? String(e)}`,
      'Show Log',
    );
    if (choice) ctx.log.show();
    return undefined;
  }
}

function existsNote(files: string[]): string | undefined {
  const existing = files.filter((f) => existsSync(f)).map((f) => path.basename(f));
  return existing.length ? `${existing.join(' and ')} already exist(s) and will be replaced` : undefined;
}

async function splitCommand(ctx: HostContext, arg: unknown): Promise<SplitReport | undefined> {
  const title = 'RFT Studio: Split Dataset';
  const { uri, args } = splitArgs<SplitArgs>(arg);
  return guarded(ctx, 'Split Dataset', async () => {
    const { splitFile, PROVIDER_LIMITS } = await prep();
    const { parseFraction, parseWholeNumber, parseSeed, siblingPath } = await cli();
    const { DEFAULT_SEED } = await import('../../core/prep/prng');
    const { splitReportMarkdown, splitCoverageLine } = await import('../../core/prep/report');
    const file = await pickDataset(uri, title);
    const field = await fieldFor(file, title, args.field);
    let size: { validFraction?: number; validCount?: number } = {
      validFraction: args.validFraction,
      validCount: args.validCount,
    };
    if (size.validFraction === undefined && size.validCount === undefined) {
      const text = await vscode.window.showInputBox({
        title,
        prompt: `Validation size: a fraction (0.33 or 33%) or a number of examples (at most ${int(PROVIDER_LIMITS.maxValid)})`,
        value: '0.33',
        validateInput: (t) =>
          /[.%]/.test(t)
            ? parseFraction(t) === undefined
              ? 'A fraction between 0 and 1, e.g. 0.33 or 33%'
              : undefined
            : parseWholeNumber(t) === undefined
              ? 'A whole number of examples, or a fraction like 0.33'
              : undefined,
        ignoreFocusOut: true,
      });
      if (text === undefined) throw new Cancelled();
      size = /[.%]/.test(text)
        ? { validFraction: parseFraction(text) }
        : { validCount: parseWholeNumber(text) };
    }
    const seed =
      args.seed ?? (args.confirm === false ? DEFAULT_SEED : await askSeed(title, parseSeed, DEFAULT_SEED));
    let trainOut = args.trainOut ? resolvePath(args.trainOut) : siblingPath(file, 'train');
    let validOut = args.validOut ? resolvePath(args.validOut) : siblingPath(file, 'valid');
    const name = path.basename(file);
    for (;;) {
      const { checkOutputPaths } = await import('../../core/prep/dataset');
      checkOutputPaths(file, [trainOut, validOut]);
      if (args.confirm === false) break;
      const dry = await withPrepProgress(`Splitting ${name}…`, (signal, onProgress) =>
        splitFile(file, field, size, trainOut, validOut, { seed, signal, onProgress, write: false }),
      );
      const notes = [splitCoverageLine(dry)];
      if (dry.maxShareDiff)
        notes.push(
          `Largest share difference: ${dry.maxShareDiff.points.toFixed(1)} points (${dry.maxShareDiff.label})`,
        );
      if (dry.duplicateGroups)
        notes.push(`${dry.duplicateGroups} group(s) of exact duplicates, each kept in one file`);
      if (dry.unlabelled.total.count)
        notes.push(
          `${dry.unlabelled.total.count} example(s) without a label (lines ${dry.unlabelled.total.lines.slice(0, 5).join(', ')}…)`,
        );
      const replaced = existsNote([trainOut, validOut]);
      if (replaced) notes.push(replaced);
      notes.push(...dry.warnings);
      const choice = await showSummary({
        title: `${title}: ${name} (${int(dry.examples)} examples, field ${dry.field}, seed ${seed})`,
        headline: `${int(dry.train)} training + ${int(dry.valid)} validation — ${dry.coverage.covered}/${dry.coverage.needed} labels in both files`,
        writeLabel: `Write ${path.basename(trainOut)} (${int(dry.train)}) and ${path.basename(validOut)} (${int(dry.valid)})`,
        writeDetail:
          path.dirname(trainOut) === path.dirname(validOut)
            ? path.dirname(trainOut)
            : `${trainOut} · ${validOut}`,
        notes,
        rows: dry.labels.map((l) => ({
          label: l.label,
          description: `total ${int(l.total)} · train ${int(l.train)} (${pct(l.trainShare)}) · valid ${int(l.valid)} (${pct(l.validShare)})${l.note ? ` · ${l.note}` : ''}`,
          warning: !l.covered,
        })),
      });
      if (choice === 'cancel') throw new Cancelled();
      if (choice === 'write') break;
      trainOut = await askSavePath('Training file', trainOut, file);
      validOut = await askSavePath('Validation file', validOut, file);
    }
    const report = await withPrepProgress(
      `Writing ${path.basename(trainOut)} and ${path.basename(validOut)}…`,
      (signal, onProgress) => splitFile(file, field, size, trainOut, validOut, { seed, signal, onProgress }),
    );
    ctx.log.info(`Split ${file} -> ${trainOut} (${report.train}), ${validOut} (${report.valid})`);
    if (args.open !== false) await openResults([trainOut, validOut]);
    const message = `Wrote ${path.basename(trainOut)} (${int(report.train)}) and ${path.basename(validOut)} (${int(report.valid)}). ${splitCoverageLine(report)}`;
    const notify =
      report.coverage.covered < report.coverage.needed
        ? vscode.window.showWarningMessage
        : vscode.window.showInformationMessage;
    void Promise.resolve(notify(message, 'Show Report')).then((c) =>
      c ? showMarkdownReport(splitReportMarkdown(report, workspaceRoot())) : undefined,
    );
    return report;
  });
}

async function sampleCommand(ctx: HostContext, arg: unknown): Promise<SampleReport | undefined> {
  const title = 'RFT Studio: Sample Balanced Subset';
  const { uri, args } = splitArgs<SampleArgs>(arg);
  return guarded(ctx, 'Sample Balanced Subset', async () => {
    const { sampleFile } = await prep();
    const { parseWholeNumber, parseSeed, siblingPath } = await cli();
    const { DEFAULT_SEED } = await import('../../core/prep/prng');
    const { sampleReportMarkdown } = await import('../../core/prep/report');
    const file = await pickDataset(uri, title);
    const field = await fieldFor(file, title, args.field);
    let n = args.n;
    if (n === undefined) {
      const text = await vscode.window.showInputBox({
        title,
        prompt: 'How many examples to keep (the Build Hour sampled 150: 100 training + 50 validation)',
        value: '150',
        validateInput: (t) => (parseWholeNumber(t) === undefined ? 'A whole number ≥ 1' : undefined),
        ignoreFocusOut: true,
      });
      if (text === undefined) throw new Cancelled();
      n = parseWholeNumber(text)!;
    }
    const seed =
      args.seed ?? (args.confirm === false ? DEFAULT_SEED : await askSeed(title, parseSeed, DEFAULT_SEED));
    let out = args.out ? resolvePath(args.out) : siblingPath(file, `sample${n}`);
    const name = path.basename(file);
    for (;;) {
      const { checkOutputPaths } = await import('../../core/prep/dataset');
      checkOutputPaths(file, [out]);
      if (args.confirm === false) break;
      const dry = await withPrepProgress(`Sampling ${name}…`, (signal, onProgress) =>
        sampleFile(file, field, n!, out, { seed, signal, onProgress, write: false }),
      );
      const notes = [
        dry.missingLabels.length
          ? `${dry.missingLabels.length} label(s) not in the sample: ${dry.missingLabels.join(', ')}`
          : `Every label is in the sample (${dry.labels.length}/${dry.labels.length})`,
      ];
      const replaced = existsNote([out]);
      if (replaced) notes.push(replaced);
      const choice = await showSummary({
        title: `${title}: ${name} (${int(dry.examples)} examples, field ${dry.field}, seed ${seed})`,
        headline: `${int(dry.selected)} of ${int(dry.examples)} examples, rare labels first`,
        writeLabel: `Write ${path.basename(out)} (${int(dry.selected)} examples)`,
        writeDetail: path.dirname(out),
        notes,
        rows: dry.labels.map((l) => ({
          label: l.label,
          description: `before ${int(l.before)} (${pct((100 * l.before) / dry.examples)}) → after ${int(l.after)} (${pct(dry.selected ? (100 * l.after) / dry.selected : 0)})`,
          warning: l.after === 0,
        })),
      });
      if (choice === 'cancel') throw new Cancelled();
      if (choice === 'write') break;
      out = await askSavePath('Sample file', out, file);
    }
    const report = await withPrepProgress(`Writing ${path.basename(out)}…`, (signal, onProgress) =>
      sampleFile(file, field, n!, out, { seed, signal, onProgress }),
    );
    ctx.log.info(`Sampled ${report.selected} of ${report.examples} from ${file} -> ${out}`);
    if (args.open !== false) await openResults([out]);
    void Promise.resolve(
      vscode.window.showInformationMessage(
        `Wrote ${path.basename(out)}: ${int(report.selected)} of ${int(report.examples)} examples.`,
        'Show Report',
      ),
    ).then((c) => (c ? showMarkdownReport(sampleReportMarkdown(report, workspaceRoot())) : undefined));
    return report;
  });
}

/** Quick pick of the workspace's .csv/.json files (those next to the dataset and with mapping-like names first). */
async function pickMappingFile(dataset: string, title: string): Promise<string> {
  const found = await vscode.workspace.findFiles('**/*.{csv,json}', '**/{node_modules,.git,.vscode}/**', 500);
  const dir = path.dirname(dataset);
  const score = (p: string) =>
    (path.dirname(p) === dir ? 4 : p.startsWith(dir) ? 2 : 0) +
    (/map|code|label|name|vocab|descriptor/i.test(path.basename(p)) ? 2 : 0) -
    (/\.(grader|schema|response_format|rftjob)\.json$|package(-lock)?\.json$|settings\.json$/i.test(p)
      ? 5
      : 0);
  const files = found.map((u) => u.fsPath).sort((a, b) => score(b) - score(a) || a.localeCompare(b));
  const items: (vscode.QuickPickItem & { file?: string })[] = files.slice(0, 100).map((f) => ({
    label: path.basename(f),
    description: vscode.workspace.asRelativePath(path.dirname(f)),
    file: f,
  }));
  items.push({
    label: '$(folder-opened) Browse…',
    description: 'a JSON {"code": "name"} or CSV code,name file',
  });
  const pick = await vscode.window.showQuickPick(items, {
    title,
    placeHolder: 'The mapping file: JSON {"code": "name"} or CSV with code,name rows',
    matchOnDescription: true,
    ignoreFocusOut: true,
  });
  if (!pick) throw new Cancelled();
  if (pick.file) return pick.file;
  const picked = await vscode.window.showOpenDialog({
    title: `${title}: mapping file`,
    canSelectMany: false,
    filters: { 'Mappings (JSON, CSV)': ['json', 'csv'] },
    openLabel: 'Use This Mapping',
    defaultUri: vscode.Uri.file(dir),
  });
  if (!picked?.[0]) throw new Cancelled();
  return picked[0].fsPath;
}

async function mapCommand(ctx: HostContext, arg: unknown): Promise<MapReport | undefined> {
  const title = 'RFT Studio: Map Codes to Names';
  const { uri, args } = splitArgs<MapArgs>(arg);
  return guarded(ctx, 'Map Codes to Names', async () => {
    const { mapCodesInFile } = await import('../../core/prep/mapCodes');
    const { parseMapping } = await import('../../core/prep/mapping');
    const { siblingPath } = await cli();
    const { mapReportMarkdown } = await import('../../core/prep/report');
    const file = await pickDataset(uri, title);
    const field = await fieldFor(file, title, args.field);
    let mappingPath = args.mapping ? resolvePath(args.mapping) : undefined;
    if (!mappingPath) mappingPath = await pickMappingFile(file, title);
    const mapping = parseMapping(await readFile(mappingPath, 'utf8'), path.basename(mappingPath));
    let out = args.out ? resolvePath(args.out) : siblingPath(file, 'named');
    const name = path.basename(file);
    for (;;) {
      const { checkOutputPaths } = await import('../../core/prep/dataset');
      checkOutputPaths(file, [out]);
      if (args.confirm === false) break;
      const dry = await withPrepProgress(`Mapping codes in ${name}…`, (signal, onProgress) =>
        mapCodesInFile(file, field, mapping, out, { signal, onProgress, write: false }),
      );
      const notes: string[] = [];
      if (dry.unknown.length)
        notes.push(`${dry.unknown.length} code(s) are not in the mapping and stay as they are`);
      if (dry.problems.length)
        notes.push(
          `${dry.problems.length} line(s) without a usable field stay as they are (first: line ${dry.problems[0].line}, ${dry.problems[0].message})`,
        );
      if (dry.alreadyNames) notes.push(`${dry.alreadyNames} value(s) are already names`);
      const replaced = existsNote([out]);
      if (replaced) notes.push(replaced);
      const choice = await showSummary({
        title: `${title}: ${name} (field ${dry.field}, mapping ${mapping.source})`,
        headline: `${int(dry.changedLines)} of ${int(dry.lines)} lines change; ${dry.codes.length} code(s) mapped, ${dry.unknown.length} unknown`,
        writeLabel: `Write ${path.basename(out)}`,
        writeDetail: path.dirname(out),
        notes,
        rows: [
          ...dry.unknown.map((u) => ({
            label: `${JSON.stringify(u.code)} — not in the mapping`,
            description: `×${u.count} on line(s) ${u.lines.slice(0, 12).join(', ')}${u.lines.length > 12 ? ', …' : ''}`,
            warning: true,
          })),
          ...dry.codes.map((c) => ({ label: `${c.code} → ${c.name}`, description: `×${int(c.count)}` })),
        ],
      });
      if (choice === 'cancel') throw new Cancelled();
      if (choice === 'write') break;
      out = await askSavePath('Output file', out, file);
    }
    const report = await withPrepProgress(`Writing ${path.basename(out)}…`, (signal, onProgress) =>
      mapCodesInFile(file, field, mapping, out, { signal, onProgress }),
    );
    ctx.log.info(
      `Mapped codes in ${file} -> ${out}: ${report.changedLines} line(s) changed, ${report.unknown.length} unknown code(s)`,
    );
    if (args.open !== false) await openResults([out]);
    const problems = report.unknown.length + report.problems.length;
    const message = problems
      ? `Wrote ${path.basename(out)}; ${report.unknown.length} unknown code(s) and ${report.problems.length} line(s) without the field were left unchanged.`
      : `Wrote ${path.basename(out)}: every code mapped (${int(report.changedLines)} lines changed).`;
    const notify = problems ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    void Promise.resolve(notify(message, 'Show Report')).then((c) =>
      c ? showMarkdownReport(mapReportMarkdown(report, workspaceRoot())) : undefined,
    );
    return report;
  });
}

export function registerPrep(ctx: HostContext): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand(MAP_CODES_COMMAND, (arg?: unknown) => mapCommand(ctx, arg)),
    vscode.commands.registerCommand(SAMPLE_DATASET_COMMAND, (arg?: unknown) => sampleCommand(ctx, arg)),
    vscode.commands.registerCommand(SPLIT_DATASET_COMMAND, (arg?: unknown) => splitCommand(ctx, arg)),
  );
}
