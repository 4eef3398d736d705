// One table row of the dataset preview, summarized from a line's text: detected format, role sequence, a preview
// of the last user message and the item fields. Also the row filter (search text, format, field value).
import type { LineKind } from '../datasets/format';
import { detectLineKind } from '../datasets/format';
import {
  getPath,
  isObject,
  itemFields,
  lastUserMessage,
  promptMessages,
  roleOf,
  dpoOutputs,
} from '../stats/exampleView';
import { canonicalJson } from '../stats/exampleView';
import { valueKey } from '../stats/datasetStats';

export type RowKind = LineKind | 'invalid-json' | 'blank';

export interface RowSummary {
  /** 0-based line. */
  line: number;
  kind: RowKind;
  /** Roles in order (DPO: input roles then `preferred|non_preferred`). */
  roles: string[];
  /** The last user message, whitespace collapsed, cut to PREVIEW_CHARS. */
  lastUser?: string;
  /** Item fields with a short rendering of each value. */
  fields: { name: string; preview: string }[];
  bytes: number;
  /** JSON parse error message for invalid lines. */
  error?: string;
  /** The line was longer than the read limit and was cut. */
  truncated?: boolean;
}

export const PREVIEW_CHARS = 240;
const FIELD_PREVIEW_CHARS = 80;

function collapse(s: string, max: number): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

function fieldPreview(v: unknown): string {
  if (typeof v === 'string') return collapse(v, FIELD_PREVIEW_CHARS);
  if (Array.isArray(v) && v.every((e) => typeof e === 'string' || typeof e === 'number'))
    return collapse(v.join(', '), FIELD_PREVIEW_CHARS);
  return collapse(canonicalJson(v), FIELD_PREVIEW_CHARS);
}

export function parseLine(text: string): { value?: unknown; error?: string } {
  try {
    return { value: JSON.parse(text) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

export function summarizeRow(
  line: number,
  text: string,
  bytes = Buffer.byteLength(text),
  truncated = false,
): RowSummary {
  if (text.trim() === '') return { line, kind: 'blank', roles: [], fields: [], bytes };
  if (truncated) {
    // Only the start of a very long line was read: its kind is unknown until the row is expanded.
    return {
      line,
      kind: 'unknown',
      roles: [],
      fields: [],
      bytes,
      error: `${bytes.toLocaleString('en-US')}-byte line: too long to summarize; expand the row to read it`,
      truncated,
    };
  }
  const { value, error } = parseLine(text);
  if (error !== undefined) return { line, kind: 'invalid-json', roles: [], fields: [], bytes, error };
  const roles = promptMessages(value).map(roleOf);
  if (dpoOutputs(value)) roles.push('preferred|non_preferred');
  const last = lastUserMessage(value);
  return {
    line,
    kind: detectLineKind(value),
    roles,
    ...(last !== undefined ? { lastUser: collapse(last, PREVIEW_CHARS) } : {}),
    fields: Object.entries(itemFields(value)).map(([name, v]) => ({ name, preview: fieldPreview(v) })),
    bytes,
  };
}

export interface RowQuery {
  /** Case-insensitive text that must occur in the line (raw JSON or any decoded string value). */
  text?: string;
  /** Allowed kinds (empty or absent: all). */
  kinds?: RowKind[];
  /** `path` must hold `value` (an array holds it when one of its elements does). */
  field?: { path: string; value: string };
}

export function isEmptyQuery(q: RowQuery): boolean {
  return !q.text && !(q.kinds && q.kinds.length) && !(q.field && q.field.path);
}

function stringValues(v: unknown, out: string[]): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const e of v) stringValues(e, out);
  else if (isObject(v))
    for (const [k, e] of Object.entries(v)) {
      out.push(k);
      stringValues(e, out);
    }
  return out;
}

/** Builds a predicate over a line's text for a query (the text is parsed at most once). */
export function rowMatcher(q: RowQuery): (text: string) => boolean {
  const needle = q.text?.toLowerCase() ?? '';
  const kinds = q.kinds && q.kinds.length ? new Set<RowKind>(q.kinds) : undefined;
  const field = q.field && q.field.path ? q.field : undefined;
  return (text: string) => {
    const needsParse = !!kinds || !!field || (needle && text.includes('\\'));
    let parsed: { value?: unknown; error?: string } | undefined;
    const get = () => (parsed ??= text.trim() === '' ? { error: 'blank' } : parseLine(text));
    if (kinds) {
      const kind: RowKind =
        text.trim() === ''
          ? 'blank'
          : get().error !== undefined
            ? 'invalid-json'
            : detectLineKind(get().value);
      if (!kinds.has(kind)) return false;
    }
    if (field) {
      const p = get();
      if (p.error !== undefined) return false;
      const got = getPath(p.value, field.path);
      if (!got.found) return false;
      const els = Array.isArray(got.value) ? got.value : [got.value];
      if (!els.some((e) => valueKey(e) === field.value)) return false;
    }
    if (needle) {
      if (text.toLowerCase().includes(needle)) return true;
      if (!needsParse) return false;
      const p = get();
      if (p.error !== undefined) return false;
      return stringValues(p.value, []).some((s) => s.toLowerCase().includes(needle));
    }
    return true;
  };
}
