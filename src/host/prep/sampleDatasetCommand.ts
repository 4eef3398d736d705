// "RFT Studio: Sample Balanced Subset…": keeps N examples, rare labels first. Prompts for what the args do not give,
// shows the before/after label shares, asks before replacing an existing file, then writes and opens the sample.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SampleReport } from '../../core/prep/runPrep';
import type { HostContext } from '../hostContext';
import type { OverwritePrompt } from './overwritePrompt';
import type { CommonArgs, LabelField } from './prepCommandSupport';
import { cli, existsNote, int, offerReport, pct, prep, PrepCommand, resolvePath } from './prepCommandSupport';
import { askSavePath, askSeed, Cancelled, openResults, showSummary, withPrepProgress } from './prepPrompts';

export const SAMPLE_DATASET_COMMAND = 'rftStudio.sampleDataset';

export interface SampleArgs extends CommonArgs {
  n?: number;
  seed?: string;
  out?: string;
}

const TITLE = 'RFT Studio: Sample Balanced Subset';

export class SampleDatasetCommand extends PrepCommand<SampleArgs, SampleReport> {
  constructor(ctx: HostContext, overwrite: OverwritePrompt) {
    super(ctx, overwrite, SAMPLE_DATASET_COMMAND, 'Sample Balanced Subset', TITLE);
  }

  protected async execute(file: string, field: LabelField, args: SampleArgs): Promise<SampleReport> {
    const { sampleFile } = await prep();
    const { parseWholeNumber, parseSeed, siblingPath } = await cli();
    const { DEFAULT_SEED } = await import('../../core/prep/prng');
    const { sampleReportMarkdown } = await import('../../core/prep/report');
    const { checkOutputPaths } = await import('../../core/prep/dataset');
    let n = args.n;
    if (n === undefined) {
      const text = await vscode.window.showInputBox({
        title: TITLE,
        prompt: 'How many examples to keep (the Build Hour sampled 150: 100 training + 50 validation)',
        value: '150',
        validateInput: (t) => (parseWholeNumber(t) === undefined ? 'A whole number ≥ 1' : undefined),
        ignoreFocusOut: true,
      });
      if (text === undefined) throw new Cancelled();
      n = parseWholeNumber(text)!;
    }
    const count = n;
    const seed =
      args.seed ?? (args.confirm === false ? DEFAULT_SEED : await askSeed(TITLE, parseSeed, DEFAULT_SEED));
    let out = args.out ? resolvePath(args.out) : siblingPath(file, `sample${count}`);
    const name = path.basename(file);
    for (;;) {
      checkOutputPaths(file, [out]);
      if (args.confirm === false) break;
      const dry = await withPrepProgress(`Sampling ${name}…`, (signal, onProgress) =>
        sampleFile(file, field, count, out, { seed, signal, onProgress, write: false }),
      );
      const notes = [
        dry.missingLabels.length
          ? `${dry.missingLabels.length} label(s) not in the sample: ${dry.missingLabels.join(', ')}`
          : `Every label is in the sample (${dry.labels.length}/${dry.labels.length})`,
      ];
      const replaced = await existsNote([out]);
      if (replaced) notes.push(replaced);
      const choice = await showSummary({
        title: `${TITLE}: ${name} (${int(dry.examples)} examples, field ${dry.field}, seed ${seed})`,
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
    await this.confirmOverwrite(args, [out]);
    const report = await withPrepProgress(`Writing ${path.basename(out)}…`, (signal, onProgress) =>
      sampleFile(file, field, count, out, { seed, signal, onProgress }),
    );
    this.ctx.log.info(`Sampled ${report.selected} of ${report.examples} from ${file} -> ${out}`);
    if (args.open !== false) await openResults([out]);
    offerReport(
      vscode.window.showInformationMessage,
      `Wrote ${path.basename(out)}: ${int(report.selected)} of ${int(report.examples)} examples.`,
      (root) => sampleReportMarkdown(report, root),
    );
    return report;
  }
}
