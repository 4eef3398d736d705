// Grader authoring in the editor for *.grader.json: lint diagnostics (with dataset / response-format
// cross-checks when linked), completion of item. fields and sample.output_json. keys inside {{ }}, hovers
// with a template's values on the first dataset lines, a CodeLens showing the link, the link command, and quick fixes.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { fieldNamesAt } from '../../core/graders/datasetFields';
import {
  lintGraderText,
  responseFormatKeys,
  schemaAtPath,
  responseFormatSchema,
  templatesInDocument,
} from '../../core/graders/lint';
import { formatPath, parsePath, type PathSegment } from '../../core/graders/template';
import { KeyedDebouncer } from '../../core/keyedDebouncer';
import { toVscodeDiagnostic } from '../diagnosticsAdapter';
import type { HostContext } from '../hostContext';
import { DatasetCache, LINKS_SETTING, linkFor, type GraderLink, type LoadedDataset } from './graderLinks';
import { GraderJobSpecs } from './graderJobSpecs';
import { GraderQuickFixProvider } from './graderQuickFixes';
import type { GraderJobContext } from '../../core/graders/jobContext';

export const GRADER_SELECTOR: vscode.DocumentSelector = [
  { language: 'json', pattern: '**/*.grader.json' },
  { language: 'jsonc', pattern: '**/*.grader.json' },
];

const SAMPLE_VARS: Array<[string, string]> = [
  ['output_text', 'The model output as a string.'],
  [
    'output_json',
    'The model output parsed as JSON. Populated only when the job sets a `response_format` (or, in `graders/run`, when the sample is valid JSON).',
  ],
  [
    'output_tools',
    'The model\'s tool calls: `[{id, type: "function", function: {name, arguments}}]` (arguments is a JSON string).',
  ],
  ['choices', 'The Chat Completions `choices` array.'],
  ['output_audio', 'Audio output `{data, transcript}`.'],
];

export function isGraderDocument(doc: vscode.TextDocument): boolean {
  return vscode.languages.match(GRADER_SELECTOR, doc) > 0;
}

function preview(v: unknown, max = 80): string {
  if (v === undefined) return '*(missing)*';
  const s = typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
  return `\`${(s.length > max ? `${s.slice(0, max - 1)}…` : s).replace(/`/g, "'")}\``;
}

interface Linked {
  link: { dataset?: string; responseFormat?: string };
  dataset?: LoadedDataset;
  datasetError?: string;
  responseFormat?: unknown;
  /** The job spec naming this grader (used when no dataset is linked in the settings). */
  job?: GraderJobContext;
  /** The job's training and validation files, as loaded. */
  jobDatasets?: LoadedDataset[];
}

export function registerGraderAuthoring(ctx: HostContext): vscode.Disposable {
  const disposables: vscode.Disposable[] = [];
  const collection = vscode.languages.createDiagnosticCollection('rft-graders');
  const cache = new DatasetCache(ctx);
  const jobSpecs = new GraderJobSpecs(ctx);
  // One pending lint per document, as for datasets: typing restarts the wait, closing the document drops it.
  const lint = new KeyedDebouncer({
    delayMs: 250,
    onError: (e) => ctx.log.error('grader lint failed', e),
  });
  const codeLensChanged = new vscode.EventEmitter<void>();
  disposables.push(collection, cache, jobSpecs, codeLensChanged, lint);

  const linked = async (doc: vscode.TextDocument): Promise<Linked> => {
    const link = linkFor(ctx, doc);
    const out: Linked = { link };
    if (link.dataset) {
      const d = await cache.dataset(link.dataset);
      if (d instanceof Error) out.datasetError = d.message;
      else out.dataset = d;
    }
    if (link.responseFormat) {
      const rf = await cache.responseFormat(link.responseFormat);
      if (!(rf instanceof Error)) out.responseFormat = rf;
    }
    if (!link.dataset) {
      // No link in the settings: a job spec that names this grader says which files it will grade.
      const job = await jobSpecs.contextFor(doc.uri.fsPath);
      if (job) {
        out.job = job;
        out.jobDatasets = [];
        const errors: string[] = [];
        for (const file of job.datasets) {
          const d = await cache.dataset(file);
          if (d instanceof Error) errors.push(d.message);
          else out.jobDatasets.push(d);
        }
        if (errors.length) out.datasetError = errors.join('; ');
        out.dataset = out.jobDatasets[0];
        if (job.responseFormat && 'inline' in job.responseFormat)
          out.responseFormat = job.responseFormat.inline;
        else if (job.responseFormat) {
          const rf = await cache.responseFormat(job.responseFormat.file);
          if (!(rf instanceof Error)) out.responseFormat = rf;
        } else out.responseFormat = null;
      }
    }
    return out;
  };

  const lintNow = async (doc: vscode.TextDocument) => {
    if (doc.isClosed || !isGraderDocument(doc)) return;
    const version = doc.version;
    const l = await linked(doc);
    if (doc.isClosed || doc.version !== version) return;
    const several = l.jobDatasets && l.jobDatasets.length > 1;
    const diags = lintGraderText(doc.getText(), {
      path: doc.uri.fsPath,
      // A job's training and validation files are checked each and against each other.
      ...(several ? { datasets: l.jobDatasets!.map((d) => d.fields) } : { datasetItems: l.dataset?.fields }),
      // Linked to a dataset but no response format: output_json will be empty at training time.
      responseFormat: l.job
        ? l.responseFormat
        : l.link.responseFormat
          ? l.responseFormat
          : l.link.dataset
            ? null
            : undefined,
    });
    const out = diags.map((d) => toVscodeDiagnostic(d, doc.uri));
    if (l.datasetError)
      out.push(
        new vscode.Diagnostic(
          new vscode.Range(0, 0, 0, 1),
          `Linked dataset cannot be read: ${l.datasetError}`,
          vscode.DiagnosticSeverity.Warning,
        ),
      );
    collection.set(doc.uri, out);
  };

  const schedule = (doc: vscode.TextDocument, delay?: number) => {
    if (!isGraderDocument(doc)) return;
    lint.schedule(doc.uri.toString(), () => lintNow(doc), delay);
  };
  const relintAll = () => {
    for (const doc of vscode.workspace.textDocuments) schedule(doc, 0);
    codeLensChanged.fire();
  };

  disposables.push(
    vscode.workspace.onDidOpenTextDocument((d) => {
      if (isGraderDocument(d)) jobSpecs.refresh();
      schedule(d, 0);
    }),
    vscode.workspace.onDidSaveTextDocument((d) => {
      if (!isGraderDocument(d)) return;
      jobSpecs.refresh();
      schedule(d, 0);
    }),
    vscode.workspace.onDidChangeTextDocument((e) => schedule(e.document)),
    vscode.workspace.onDidCloseTextDocument((d) => {
      lint.cancel(d.uri.toString());
      collection.delete(d.uri);
    }),
    cache.onDidChange(relintAll),
    jobSpecs.onDidChange(relintAll),
    ctx.config.onDidChange((e) => {
      if (ctx.config.affects(e, LINKS_SETTING)) relintAll();
    }),
  );
  for (const doc of vscode.workspace.textDocuments) schedule(doc, 0);

  disposables.push(
    vscode.languages.registerCodeActionsProvider(GRADER_SELECTOR, new GraderQuickFixProvider(), {
      providedCodeActionKinds: GraderQuickFixProvider.kinds,
    }),
  );

  // Completion inside {{ … }}.
  disposables.push(
    vscode.languages.registerCompletionItemProvider(
      GRADER_SELECTOR,
      {
        async provideCompletionItems(doc, position) {
          const line = doc.lineAt(position.line).text.slice(0, position.character);
          const open = line.lastIndexOf('{{');
          if (open < 0 || line.indexOf('}}', open) >= 0) return undefined;
          const expr = line.slice(open + 2).trimStart();
          const lastDot = Math.max(expr.lastIndexOf('.'), expr.lastIndexOf('['));
          const head = lastDot >= 0 ? expr.slice(0, lastDot) : '';
          const partial = lastDot >= 0 ? expr.slice(lastDot + 1) : expr;
          const replace = new vscode.Range(position.translate(0, -partial.length), position);
          if (!head) {
            return ['item', 'sample'].map((ns) => {
              const c = new vscode.CompletionItem(ns, vscode.CompletionItemKind.Module);
              c.insertText = `${ns}.`;
              c.range = replace;
              c.command = { command: 'editor.action.triggerSuggest', title: '' };
              c.documentation =
                ns === 'item'
                  ? 'Fields of the dataset line.'
                  : 'The model sample: output_text, output_json, output_tools, choices.';
              return c;
            });
          }
          const parsed = parsePath(head);
          if ('error' in parsed) return undefined;
          const [ns, ...rest] = parsed.segments;
          const l = await linked(doc);
          const items: vscode.CompletionItem[] = [];
          if (ns === 'item') {
            if (!l.dataset) {
              const c = new vscode.CompletionItem(
                'Link a dataset to complete item fields…',
                vscode.CompletionItemKind.Event,
              );
              c.insertText = '';
              c.command = {
                command: 'rftStudio.linkGraderDataset',
                title: 'Link dataset',
                arguments: [doc.uri],
              };
              return [c];
            }
            const { keys } = fieldNamesAt(l.dataset.items, rest);
            for (const k of keys) {
              const c = new vscode.CompletionItem(k.key, vscode.CompletionItemKind.Field);
              c.detail = k.types.join(' | ');
              const probe = l.dataset.fields.probe(formatPath('item', [...rest, k.key]).slice(5));
              c.documentation = new vscode.MarkdownString(
                `Present on ${l.dataset.items.length - probe.missing} of ${l.dataset.items.length} lines. Example: ${preview(k.example)}`,
              );
              c.range = replace;
              items.push(c);
            }
          } else if (ns === 'sample') {
            if (rest.length === 0) {
              for (const [name, doc_] of SAMPLE_VARS) {
                const c = new vscode.CompletionItem(name, vscode.CompletionItemKind.Variable);
                c.documentation = new vscode.MarkdownString(doc_);
                c.range = replace;
                items.push(c);
              }
            } else if (rest[0] === 'output_json') {
              for (const k of responseFormatKeys(l.responseFormat, rest.slice(1))) {
                const c = new vscode.CompletionItem(k.key, vscode.CompletionItemKind.Field);
                c.detail = k.type;
                if (k.description) c.documentation = k.description;
                c.range = replace;
                items.push(c);
              }
            }
          }
          return items;
        },
      },
      '.',
      '{',
    ),
  );

  // Hover on a template: values on the first dataset lines.
  disposables.push(
    vscode.languages.registerHoverProvider(GRADER_SELECTOR, {
      async provideHover(doc, position) {
        const offset = doc.offsetAt(position);
        const t = templatesInDocument(doc.getText()).find((x) => offset >= x.start && offset <= x.end);
        if (!t) return undefined;
        const range = new vscode.Range(doc.positionAt(t.start), doc.positionAt(t.end));
        const md = new vscode.MarkdownString();
        const { ref } = t;
        if (ref.error) {
          md.appendMarkdown(`**Invalid template:** ${ref.error}`);
          return new vscode.Hover(md, range);
        }
        const name = formatPath(ref.namespace, ref.path);
        md.appendMarkdown(`**\`${name}\`**\n\n`);
        const l = await linked(doc);
        if (ref.namespace === 'item') {
          if (!l.dataset) {
            md.appendMarkdown(
              'No dataset linked. [Link a dataset…](command:rftStudio.linkGraderDataset) to see values.',
            );
            md.isTrusted = { enabledCommands: ['rftStudio.linkGraderDataset'] };
            return new vscode.Hover(md, range);
          }
          const probe = l.dataset.fields.probe(name.slice(5));
          md.appendMarkdown(
            `${path.basename(l.dataset.path)}: present on ${l.dataset.items.length - probe.missing} of ${l.dataset.items.length} lines`,
          );
          const types = Object.entries(probe.types).map(([k, n]) => `${k} ×${n}`);
          if (types.length) md.appendMarkdown(` (${types.join(', ')})`);
          md.appendMarkdown('\n\n| line | value |\n|---:|---|\n');
          for (const v of probe.firstValues)
            md.appendMarkdown(`| ${v.line} | ${preview(v.value).replace(/\|/g, '\\|')} |\n`);
        } else {
          const head = String(ref.path[0]);
          const info = SAMPLE_VARS.find(([n]) => n === head);
          md.appendMarkdown(info ? info[1] : 'Not a sample variable.');
          if (head === 'output_json' && ref.path.length > 1) {
            const schema = responseFormatSchema(l.responseFormat);
            if (schema) {
              const ok = schemaAtPath(schema, ref.path.slice(1));
              md.appendMarkdown(
                ok.ok
                  ? '\n\nDeclared by the linked response format.'
                  : '\n\n⚠ Not declared by the linked response format.',
              );
            } else md.appendMarkdown('\n\nNo response format linked.');
          }
        }
        return new vscode.Hover(md, range);
      },
    }),
  );

  // CodeLens: what the grader is linked to.
  disposables.push(
    vscode.languages.registerCodeLensProvider(GRADER_SELECTOR, {
      onDidChangeCodeLenses: codeLensChanged.event,
      async provideCodeLenses(doc) {
        const link = linkFor(ctx, doc);
        const top = new vscode.Range(0, 0, 0, 0);
        const job = link.dataset ? undefined : await jobSpecs.contextFor(doc.uri.fsPath);
        if (job)
          return [
            new vscode.CodeLens(top, {
              title: `$(rocket) Job spec: ${vscode.workspace.asRelativePath(job.specPath)} · ${job.datasets.map((d) => path.basename(d)).join(' + ') || 'no datasets'}`,
              tooltip: 'Checked against the training and validation files of this job spec',
              command: 'vscode.open',
              arguments: [vscode.Uri.file(job.specPath)],
            }),
          ];
        const title = link.dataset
          ? `$(database) Dataset: ${vscode.workspace.asRelativePath(link.dataset)}${link.responseFormat ? ` · response format: ${vscode.workspace.asRelativePath(link.responseFormat)}` : ''}`
          : '$(link) Link a dataset to check item fields';
        return [
          new vscode.CodeLens(top, { title, command: 'rftStudio.linkGraderDataset', arguments: [doc.uri] }),
        ];
      },
    }),
  );

  disposables.push(
    vscode.commands.registerCommand('rftStudio.linkGraderDataset', async (uri?: vscode.Uri) => {
      const target = uri ?? vscode.window.activeTextEditor?.document.uri;
      if (!target || !target.fsPath.endsWith('.grader.json')) {
        void vscode.window.showWarningMessage('Open a *.grader.json file to link it to a dataset.');
        return;
      }
      const files = await vscode.workspace.findFiles('**/*.jsonl', '**/node_modules/**', 500);
      const picks: Array<vscode.QuickPickItem & { uri?: vscode.Uri }> = files
        .map((f) => ({ label: vscode.workspace.asRelativePath(f), uri: f }))
        .sort((a, b) => a.label.localeCompare(b.label));
      picks.push({ label: '$(folder-opened) Browse…' }, { label: '$(close) Remove the link' });
      const pick = await vscode.window.showQuickPick(picks, {
        title: `Dataset for ${path.basename(target.fsPath)}`,
        placeHolder: 'The JSONL file this grader will grade',
      });
      if (!pick) return;
      const folder = vscode.workspace.getWorkspaceFolder(target);
      const key = folder
        ? path.relative(folder.uri.fsPath, target.fsPath).split(path.sep).join('/')
        : target.fsPath;
      const cfg = vscode.workspace.getConfiguration('rftStudio', target);
      const links: Record<string, GraderLink> = { ...ctx.config.value(LINKS_SETTING, target) };
      if (pick.label.startsWith('$(close)')) {
        delete links[key];
      } else {
        let dataset = pick.uri;
        if (!dataset) {
          const chosen = await vscode.window.showOpenDialog({
            canSelectMany: false,
            filters: { 'JSON Lines': ['jsonl'] },
          });
          dataset = chosen?.[0];
        }
        if (!dataset) return;
        const rel = (u: vscode.Uri) =>
          folder ? path.relative(folder.uri.fsPath, u.fsPath).split(path.sep).join('/') : u.fsPath;
        const link: GraderLink = { ...links[key], dataset: rel(dataset) };
        const rfChoice = await vscode.window.showQuickPick(
          [
            { label: 'No response format (the model answers in text)' },
            { label: '$(json) Choose a response format JSON…' },
          ],
          { title: 'Response format of the job (for sample.output_json)' },
        );
        if (rfChoice?.label.startsWith('$(json)')) {
          const rf = await vscode.window.showOpenDialog({
            canSelectMany: false,
            filters: { JSON: ['json'] },
          });
          if (rf?.[0]) link.responseFormat = rel(rf[0]);
        } else if (rfChoice) delete link.responseFormat;
        links[key] = link;
      }
      await cfg.update(
        LINKS_SETTING,
        links,
        folder ? vscode.ConfigurationTarget.WorkspaceFolder : vscode.ConfigurationTarget.Global,
      );
      relintAll();
    }),
  );

  return vscode.Disposable.from(...disposables);
}

export type { PathSegment };
