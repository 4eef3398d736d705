// "RFT Studio: Map Codes to Names…": replaces label codes with names from a JSON or CSV mapping. Prompts for what the
// args do not give, shows which codes map and which are unknown, asks before replacing an existing file, then writes.
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MapReport } from '../../core/prep/mapCodes';
import type { HostContext } from '../hostContext';
import type { OverwritePrompt } from './overwritePrompt';
import type { CommonArgs, LabelField } from './prepCommandSupport';
import { cli, existsNote, int, offerReport, PrepCommand, resolvePath } from './prepCommandSupport';
import { askSavePath, Cancelled, openResults, showSummary, withPrepProgress } from './prepPrompts';

export const MAP_CODES_COMMAND = 'rftStudio.mapCodes';

export interface MapArgs extends CommonArgs {
  mapping?: string;
  out?: string;
}

const TITLE = 'RFT Studio: Map Codes to Names';

export class MapCodesCommand extends PrepCommand<MapArgs, MapReport> {
  constructor(ctx: HostContext, overwrite: OverwritePrompt) {
    super(ctx, overwrite, MAP_CODES_COMMAND, 'Map Codes to Names', TITLE);
  }

  protected async execute(file: string, field: LabelField, args: MapArgs): Promise<MapReport> {
    const { mapCodesInFile } = await import('../../core/prep/mapCodes');
    const { parseMapping } = await import('../../core/prep/mapping');
    const { siblingPath } = await cli();
    const { mapReportMarkdown } = await import('../../core/prep/report');
    const { checkOutputPaths } = await import('../../core/prep/dataset');
    const mappingPath = args.mapping ? resolvePath(args.mapping) : await pickMappingFile(file);
    const mapping = parseMapping(await readFile(mappingPath, 'utf8'), path.basename(mappingPath));
    let out = args.out ? resolvePath(args.out) : siblingPath(file, 'named');
    const name = path.basename(file);
    for (;;) {
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
      const replaced = await existsNote([out]);
      if (replaced) notes.push(replaced);
      const choice = await showSummary({
        title: `${TITLE}: ${name} (field ${dry.field}, mapping ${mapping.source})`,
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
    await this.confirmOverwrite(args, [out]);
    const report = await withPrepProgress(`Writing ${path.basename(out)}…`, (signal, onProgress) =>
      mapCodesInFile(file, field, mapping, out, { signal, onProgress }),
    );
    this.ctx.log.info(
      `Mapped codes in ${file} -> ${out}: ${report.changedLines} line(s) changed, ${report.unknown.length} unknown code(s)`,
    );
    if (args.open !== false) await openResults([out]);
    const problems = report.unknown.length + report.problems.length;
    const message = problems
      ? `Wrote ${path.basename(out)}; ${report.unknown.length} unknown code(s) and ${report.problems.length} line(s) without the field were left unchanged.`
      : `Wrote ${path.basename(out)}: every code mapped (${int(report.changedLines)} lines changed).`;
    const notify = problems ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    offerReport(notify, message, (root) => mapReportMarkdown(report, root));
    return report;
  }
}

/** Quick pick of the workspace's .csv/.json files (those next to the dataset and with mapping-like names first). */
async function pickMappingFile(dataset: string): Promise<string> {
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
    title: TITLE,
    placeHolder: 'The mapping file: JSON {"code": "name"} or CSV with code,name rows',
    matchOnDescription: true,
    ignoreFocusOut: true,
  });
  if (!pick) throw new Cancelled();
  if (pick.file) return pick.file;
  const picked = await vscode.window.showOpenDialog({
    title: `${TITLE}: mapping file`,
    canSelectMany: false,
    filters: { 'Mappings (JSON, CSV)': ['json', 'csv'] },
    openLabel: 'Use This Mapping',
    defaultUri: vscode.Uri.file(dir),
  });
  if (!picked?.[0]) throw new Cancelled();
  return picked[0].fsPath;
}
