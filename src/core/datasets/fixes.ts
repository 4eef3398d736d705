// Quick fixes for dataset diagnostics, as plain text edits (the editor turns them into one undoable
// WorkspaceEdit). Each fix works on the current text of the line the diagnostic is on.
import { parseTree } from 'jsonc-parser';
import { findExcessiveNesting } from '../json/depth';
import type { Diagnostic, Range } from '../diagnostics';

export interface TextEdit {
  range: Range;
  newText: string;
}

export interface DatasetFix {
  title: string;
  /** Rule code the fix belongs to (to group "fix all" actions). */
  code: string;
  edits: TextEdit[];
  preferred?: boolean;
}

export interface FixOptions {
  /** Field that receives the final assistant answer when an SFT-style example becomes RFT. */
  referenceField?: string;
}

/** A source of document lines (an editor document or an array of lines). */
export interface LineSource {
  lineAt(line: number): string;
  readonly lineCount: number;
}

const lineRange = (line: number, start: number, end: number): Range => ({
  start: { line, character: start },
  end: { line, character: end },
});

function wholeLineDeletion(doc: LineSource, line: number): TextEdit {
  if (line + 1 < doc.lineCount)
    return { range: { start: { line, character: 0 }, end: { line: line + 1, character: 0 } }, newText: '' };
  if (line > 0)
    return {
      range: {
        start: { line: line - 1, character: doc.lineAt(line - 1).length },
        end: { line, character: doc.lineAt(line).length },
      },
      newText: '',
    };
  return { range: lineRange(line, 0, doc.lineAt(line).length), newText: '' };
}

function replaceLine(doc: LineSource, line: number, text: string): TextEdit {
  const current = doc.lineAt(line);
  // Keep a byte-order mark that sits in the text of line 0 (the editor shows it as part of the line).
  const start = line === 0 && current.charCodeAt(0) === 0xfeff ? 1 : 0;
  return { range: lineRange(line, start, current.length), newText: text };
}

function parseLine(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    return typeof v === 'object' && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The line without one top-level property (and the comma that separated it), formatting kept. */
export function withoutProperty(text: string, key: string): string | undefined {
  if (findExcessiveNesting(text) !== undefined) return undefined; // the recursive parser would overflow
  const root = parseTree(text);
  const props = root?.type === 'object' ? (root.children ?? []) : [];
  const i = props.findIndex((p) => p.children?.[0]?.value === key);
  if (i < 0) return undefined;
  const p = props[i];
  if (i > 0) {
    const prev = props[i - 1];
    return text.slice(0, prev.offset + prev.length) + text.slice(p.offset + p.length);
  }
  if (i + 1 < props.length) return text.slice(0, p.offset) + text.slice(props[i + 1].offset);
  return text.slice(0, p.offset) + text.slice(p.offset + p.length);
}

/** Turns an SFT-style line (ending with an assistant answer) into an RFT line: the answer moves to `field`. */
export function sftLineToRft(text: string, field = 'reference_answer'): string | undefined {
  const value = parseLine(text);
  const messages = value?.messages;
  if (!value || !Array.isArray(messages) || messages.length < 2) return undefined;
  const last = messages[messages.length - 1] as { role?: unknown; content?: unknown } | undefined;
  if (!last || last.role !== 'assistant' || typeof last.content !== 'string') return undefined;
  if (field in value) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = k === 'messages' ? messages.slice(0, -1) : v;
  out[field] = last.content;
  const rest = out.messages as { role?: unknown }[];
  if (rest[rest.length - 1]?.role !== 'user') return undefined;
  return JSON.stringify(out);
}

/** The fixes offered for one diagnostic (none when the text no longer matches). */
export function fixesFor(doc: LineSource, d: Diagnostic, opts: FixOptions = {}): DatasetFix[] {
  const line = d.range.start.line;
  if (line >= doc.lineCount) return [];
  const text = doc.lineAt(line);
  const span = text.slice(d.range.start.character, d.range.end.character);
  const data = (d.data ?? {}) as Record<string, unknown>;
  switch (d.code) {
    case 'rft/system-role':
      if (span !== '"system"') return [];
      return [
        {
          title: 'Change role "system" to "developer"',
          code: d.code,
          preferred: true,
          edits: [{ range: d.range, newText: '"developer"' }],
        },
      ];
    case 'rft/last-message-not-user': {
      const field = opts.referenceField ?? 'reference_answer';
      const converted = sftLineToRft(text, field);
      if (!converted) return [];
      return [
        {
          title: `Move the final assistant answer into "${field}" (SFT → RFT)`,
          code: d.code,
          preferred: true,
          edits: [replaceLine(doc, line, converted)],
        },
      ];
    }
    case 'jsonl/blank-line':
      return [
        { title: 'Delete blank line', code: d.code, preferred: true, edits: [wholeLineDeletion(doc, line)] },
      ];
    case 'dataset/duplicate-example':
      return [
        { title: 'Delete this duplicate example', code: d.code, edits: [wholeLineDeletion(doc, line)] },
      ];
    case 'dpo/completion-field-names': {
      const to = typeof data.to === 'string' ? data.to : undefined;
      if (!to || span !== JSON.stringify(data.key)) return [];
      return [
        {
          title: `Rename to "${to}"`,
          code: d.code,
          preferred: true,
          edits: [{ range: d.range, newText: JSON.stringify(to) }],
        },
      ];
    }
    case 'sft/unknown-key': {
      const key = typeof data.key === 'string' ? data.key : undefined;
      if (!key || !parseLine(text)) return [];
      const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
      const removed = withoutProperty(body, key);
      if (removed === undefined) return [];
      return [{ title: `Remove "${key}"`, code: d.code, edits: [replaceLine(doc, line, removed)] }];
    }
    case 'dataset/field-type': {
      const expected = data.expected;
      let replacement: string | undefined;
      let value: unknown;
      try {
        value = JSON.parse(span);
      } catch {
        return [];
      }
      if (
        expected === 'number' &&
        typeof value === 'string' &&
        value.trim() !== '' &&
        Number.isFinite(Number(value))
      )
        replacement = String(Number(value));
      else if (expected === 'string' && (typeof value === 'number' || typeof value === 'boolean'))
        replacement = JSON.stringify(String(value));
      else if (expected === 'boolean' && (value === 'true' || value === 'false')) replacement = value;
      if (replacement === undefined) return [];
      return [
        {
          title: `Convert to ${String(expected)}: ${replacement}`,
          code: d.code,
          edits: [{ range: d.range, newText: replacement }],
        },
      ];
    }
    case 'azure/missing-bom':
      return [
        {
          title: 'Add the UTF-8 byte-order mark (BOM) Azure OpenAI wants',
          code: d.code,
          preferred: true,
          edits: [{ range: lineRange(0, 0, 0), newText: '\ufeff' }],
        },
      ];
    default:
      return [];
  }
}

/** Combined edits for every fixable diagnostic of `code` (for "fix all" actions); later lines first never overlap. */
export function fixAllFor(
  doc: LineSource,
  diags: readonly Diagnostic[],
  code: string,
  opts: FixOptions = {},
): TextEdit[] {
  const edits: TextEdit[] = [];
  const lines = new Set<number>();
  for (const d of diags) {
    if (d.code !== code || lines.has(d.range.start.line)) continue;
    const f = fixesFor(doc, d, opts)[0];
    if (!f) continue;
    lines.add(d.range.start.line);
    edits.push(...f.edits);
  }
  return edits;
}
