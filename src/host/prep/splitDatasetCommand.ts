// "RFT Studio: Split Dataset…": a label-stratified training/validation split. Prompts for what the args do not give,
// shows the per-label summary, asks before replacing existing files, then writes and opens both files.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SplitReport } from '../../core/prep/runPrep';
import type { HostContext } from '../hostContext';
import type { OverwritePrompt } from './overwritePrompt';
import type { CommonArgs, LabelField } from './prepCommandSupport';
import { cli, existsNote, int, offerReport, pct, prep, PrepCommand, resolvePath } from './prepCommandSupport';
import { askSavePath, askSeed, Cancelled, openResults, showSummary, withPrepProgress } from './prepPrompts';

export const SPLIT_DATASET_COMMAND = 'rftStudio.splitDataset';

export interface SplitArgs extends CommonArgs {
  validFraction?: number;
  validCount?: number;
  seed?: string;
  trainOut?: string;
  validOut?: string;
}

const TITLE = 'RFT Studio: Split Dataset';

export class SplitDatasetCommand extends PrepCommand<SplitArgs, SplitReport> {
  constructor(ctx: HostContext, overwrite: OverwritePrompt) {
    super(ctx, overwrite, SPLIT_DATASET_COMMAND, 'Split Dataset', TITLE);
  }

  protected async execute(file: string, field: LabelField, args: SplitArgs): Promise<SplitReport> {
    const { splitFile } = await prep();
    const { parseSeed, siblingPath } = await cli();
    const { DEFAULT_SEED } = await import('../../core/prep/prng');
    const { splitReportMarkdown, splitCoverageLine } = await import('../../core/prep/report');
    const { checkOutputPaths } = await import('../../core/prep/dataset');
    const size = await askSize(args);
    const seed =
      args.seed ?? (args.confirm === false ? DEFAULT_SEED : await askSeed(TITLE, parseSeed, DEFAULT_SEED));
    let trainOut = args.trainOut ? resolvePath(args.trainOut) : siblingPath(file, 'train');
    let validOut = args.validOut ? resolvePath(args.validOut) : siblingPath(file, 'valid');
    const name = path.basename(file);
    for (;;) {
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
      const replaced = await existsNote([trainOut, validOut]);
      if (replaced) notes.push(replaced);
      notes.push(...dry.warnings);
      const choice = await showSummary({
        title: `${TITLE}: ${name} (${int(dry.examples)} examples, field ${dry.field}, seed ${seed})`,
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
    await this.confirmOverwrite(args, [trainOut, validOut]);
    const report = await withPrepProgress(
      `Writing ${path.basename(trainOut)} and ${path.basename(validOut)}…`,
      (signal, onProgress) => splitFile(file, field, size, trainOut, validOut, { seed, signal, onProgress }),
    );
    this.ctx.log.info(`Split ${file} -> ${trainOut} (${report.train}), ${validOut} (${report.valid})`);
    if (args.open !== false) await openResults([trainOut, validOut]);
    const message = `Wrote ${path.basename(trainOut)} (${int(report.train)}) and ${path.basename(validOut)} (${int(report.valid)}). ${splitCoverageLine(report)}`;
    const notify =
      report.coverage.covered < report.coverage.needed
        ? vscode.window.showWarningMessage
        : vscode.window.showInformationMessage;
    offerReport(notify, message, (root) => splitReportMarkdown(report, root));
    return report;
  }
}

/** The validation size: from the args, or typed as a fraction (0.33, 33%) or a number of examples. */
async function askSize(args: SplitArgs): Promise<{ validFraction?: number; validCount?: number }> {
  if (args.validFraction !== undefined || args.validCount !== undefined)
    return { validFraction: args.validFraction, validCount: args.validCount };
  const { PROVIDER_LIMITS } = await prep();
  const { parseFraction, parseWholeNumber } = await cli();
  const text = await vscode.window.showInputBox({
    title: TITLE,
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
  return /[.%]/.test(text) ? { validFraction: parseFraction(text) } : { validCount: parseWholeNumber(text) };
}
