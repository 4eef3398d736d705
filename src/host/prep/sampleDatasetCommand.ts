// "RFT Studio: Sample Balanced Subset…": keeps N examples, rare labels first. Prompts for what the args do not give,
// shows the before/after label shares, asks before replacing an existing file, then writes and opens the sample.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SampleReport } from '../../core/prep/runPrep';
import { Disposable } from '../../core/lifecycle';
import type { HostContext } from '../hostContext';
import type { OverwritePrompt } from './overwritePrompt';
import type { CommonArgs } from './prepCommandSupport';
import {
  cli,
  existsNote,
  fieldFor,
  guarded,
  int,
  pct,
  prep,
  resolvePath,
  splitArgs,
  workspaceRoot,
} from './prepCommandSupport';
import {
  askSavePath,
  askSeed,
  Cancelled,
  openResults,
  pickDataset,
  showMarkdownReport,
  showSummary,
  withPrepProgress,
} from './prepPrompts';

export const SAMPLE_DATASET_COMMAND = 'rftStudio.sampleDataset';

export interface SampleArgs extends CommonArgs {
  n?: number;
  seed?: string;
  out?: string;
}

const TITLE = 'RFT Studio: Sample Balanced Subset';

export class SampleDatasetCommand extends Disposable {
  constructor(
    private readonly ctx: HostContext,
    private readonly overwrite: OverwritePrompt,
  ) {
    super();
    this._register(vscode.commands.registerCommand(SAMPLE_DATASET_COMMAND, (arg?: unknown) => this.run(arg)));
  }

  private run(arg: unknown): Promise<SampleReport | undefined> {
    const { uri, args } = splitArgs<SampleArgs>(arg);
    return guarded(this.ctx, 'Sample Balanced Subset', async () => {
      const { sampleFile } = await prep();
      const { parseWholeNumber, parseSeed, siblingPath } = await cli();
      const { DEFAULT_SEED } = await import('../../core/prep/prng');
      const { sampleReportMarkdown } = await import('../../core/prep/report');
      const { checkOutputPaths } = await import('../../core/prep/dataset');
      const file = await pickDataset(uri, TITLE);
      const field = await fieldFor(file, TITLE, args.field);
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
      if (!args.overwrite && !(await this.overwrite.confirm(TITLE, [out]))) throw new Cancelled();
      const report = await withPrepProgress(`Writing ${path.basename(out)}…`, (signal, onProgress) =>
        sampleFile(file, field, count, out, { seed, signal, onProgress }),
      );
      this.ctx.log.info(`Sampled ${report.selected} of ${report.examples} from ${file} -> ${out}`);
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
}
