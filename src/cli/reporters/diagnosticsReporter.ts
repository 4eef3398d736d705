// Reporters for commands that produce diagnostics per file (`validate`, `lint`): a compiler-style text
// format, a JSON document, and SARIF 2.1.0 for GitHub code scanning. Lines and columns are 1-based here.
import * as path from 'node:path';
import type { Diagnostic, Severity } from '../../core/diagnostics';
import { compareDiagnostics, countBySeverity } from '../../core/diagnostics';

export type DiagnosticsReporterName = 'text' | 'json' | 'sarif';
export const DIAGNOSTICS_REPORTERS: readonly DiagnosticsReporterName[] = ['text', 'json', 'sarif'];

export interface FileReport {
  path: string;
  /** Detected or forced format, e.g. `rft`, `sft`, `dpo`, `grader`. */
  format?: string;
  /** Number of examples (datasets) — omitted for non-dataset files. */
  examples?: number;
  diagnostics: Diagnostic[];
}

export interface RuleInfo {
  code: string;
  description: string;
}

export interface ReportOptions {
  cwd: string;
  toolName?: string;
  toolVersion?: string;
  /** Rule catalogue for SARIF `tool.driver.rules`. */
  rules?: readonly RuleInfo[];
}

function rel(cwd: string, p: string): string {
  const r = path.relative(cwd, p);
  return r && !r.startsWith('..') && !path.isAbsolute(r) ? r : p;
}

export function renderText(files: readonly FileReport[], opts: ReportOptions): string {
  const lines: string[] = [];
  const total: Record<Severity, number> = { error: 0, warning: 0, info: 0, hint: 0 };
  for (const f of files) {
    const sorted = [...f.diagnostics].sort(compareDiagnostics);
    for (const d of sorted) {
      lines.push(
        `${rel(opts.cwd, f.path)}:${d.range.start.line + 1}:${d.range.start.character + 1} ${d.severity} ${d.code} ${d.message}`,
      );
    }
    const c = countBySeverity(f.diagnostics);
    for (const k of Object.keys(total) as Severity[]) total[k] += c[k];
  }
  const summary = files
    .map((f) => {
      const c = countBySeverity(f.diagnostics);
      const what = [f.format, f.examples !== undefined ? `${f.examples} examples` : undefined]
        .filter(Boolean)
        .join(', ');
      return `${rel(opts.cwd, f.path)}${what ? ` (${what})` : ''}: ${c.error} error(s), ${c.warning} warning(s)`;
    })
    .join('\n');
  if (lines.length) lines.push('');
  lines.push(summary);
  lines.push(
    `${total.error} error(s), ${total.warning} warning(s), ${total.info} info in ${files.length} file(s)`,
  );
  return `${lines.join('\n')}\n`;
}

export function renderJson(files: readonly FileReport[], opts: ReportOptions): string {
  return `${JSON.stringify(
    {
      files: files.map((f) => ({
        path: rel(opts.cwd, f.path),
        ...(f.format !== undefined ? { format: f.format } : {}),
        ...(f.examples !== undefined ? { examples: f.examples } : {}),
        diagnostics: [...f.diagnostics].sort(compareDiagnostics).map((d) => ({
          line: d.range.start.line + 1,
          column: d.range.start.character + 1,
          endLine: d.range.end.line + 1,
          endColumn: d.range.end.character + 1,
          severity: d.severity,
          code: d.code,
          message: d.message,
        })),
      })),
    },
    null,
    2,
  )}\n`;
}

const SARIF_LEVEL: Record<Severity, string> = {
  error: 'error',
  warning: 'warning',
  info: 'note',
  hint: 'note',
};

export function renderSarif(files: readonly FileReport[], opts: ReportOptions): string {
  const seen = new Map<string, RuleInfo>();
  for (const r of opts.rules ?? []) seen.set(r.code, r);
  for (const f of files)
    for (const d of f.diagnostics)
      if (!seen.has(d.code)) seen.set(d.code, { code: d.code, description: d.code });
  const rules = [...seen.values()].sort((a, b) => a.code.localeCompare(b.code));
  const index = new Map(rules.map((r, i) => [r.code, i]));
  const toUri = (p: string) => rel(opts.cwd, p).split(path.sep).join('/');
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: opts.toolName ?? 'rft-studio',
            version: opts.toolVersion ?? '0.0.0',
            informationUri: 'https://github.com/rft-studio/rft-studio',
            rules: rules.map((r) => ({ id: r.code, shortDescription: { text: r.description } })),
          },
        },
        columnKind: 'utf16CodeUnits',
        originalUriBaseIds: { SRCROOT: { uri: `file://${opts.cwd.split(path.sep).join('/')}/` } },
        results: files.flatMap((f) =>
          [...f.diagnostics].sort(compareDiagnostics).map((d) => ({
            ruleId: d.code,
            ruleIndex: index.get(d.code),
            level: SARIF_LEVEL[d.severity],
            message: { text: d.message },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: toUri(f.path), uriBaseId: 'SRCROOT' },
                  region: {
                    startLine: d.range.start.line + 1,
                    startColumn: d.range.start.character + 1,
                    endLine: d.range.end.line + 1,
                    endColumn: d.range.end.character + 1,
                  },
                },
              },
            ],
          })),
        ),
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}

export function renderDiagnostics(
  name: DiagnosticsReporterName,
  files: readonly FileReport[],
  opts: ReportOptions,
): string {
  switch (name) {
    case 'text':
      return renderText(files, opts);
    case 'json':
      return renderJson(files, opts);
    case 'sarif':
      return renderSarif(files, opts);
  }
}

/** Exit code for a diagnostics run: 1 when any error was found. */
export function exitCodeFor(files: readonly FileReport[]): number {
  return files.some((f) => f.diagnostics.some((d) => d.severity === 'error')) ? 1 : 0;
}
