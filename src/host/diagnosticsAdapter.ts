// The one place where core diagnostics become vscode.Diagnostic objects.
import * as vscode from 'vscode';
import type { Diagnostic, Range, Severity } from '../core/diagnostics';

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
};

export const DIAGNOSTIC_SOURCE = 'RFT Studio';

export function toVscodeRange(r: Range): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

export function toVscodeDiagnostic(d: Diagnostic, uri?: vscode.Uri): vscode.Diagnostic {
  const out = new vscode.Diagnostic(toVscodeRange(d.range), d.message, SEVERITY[d.severity]);
  out.source = DIAGNOSTIC_SOURCE;
  out.code = d.code;
  if (d.related?.length && uri) {
    out.relatedInformation = d.related.map(
      (r) =>
        new vscode.DiagnosticRelatedInformation(
          new vscode.Location(r.path ? vscode.Uri.file(r.path) : uri, toVscodeRange(r.range)),
          r.message,
        ),
    );
  }
  return out;
}
