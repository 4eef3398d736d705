// Checks one JSONL line on its own: JSON syntax, the line schema of the file's format, and the
// per-example rules. Returns a small summary (kind, hash, item fields, diagnostics relative to the
// line) that the file-level aggregation and the editor's incremental cache keep per line.
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Diagnostic } from '../diagnostics';
import validateDpo from '../generated/dataset-dpo.validator';
import validateRft from '../generated/dataset-rft.validator';
import validateSft from '../generated/dataset-sft.validator';
import type { FileFormat, LineKind } from './format';
import { detectLineKind } from './format';
import type { Span } from './jsonPositions';
import { LineTree, locateSyntaxError, pathToDisplay, pointerToPath } from './jsonPositions';
import type { DatasetRuleCode } from './rules';
import { ruleSeverity } from './rules';
import { countMessagesTokens } from '../tokens/tokenizer';
import { findDuplicateKeys } from '../json/duplicateKeys';
import { firstInvalidUtf8 } from './jsonlReader';

export type JsonType = 'string' | 'number' | 'boolean' | 'null' | 'array' | 'object';

export interface LineSummary {
  /** Empty or whitespace-only line (not an example). */
  blank: boolean;
  /** Shape of the parsed value; undefined for blank lines and invalid JSON. */
  kind: LineKind | undefined;
  /** Diagnostics with ranges on line 0 (rebased to the real line by the caller). */
  diags: readonly Diagnostic[];
  /** Content hash for duplicate detection (0 = not hashed). */
  hash: number;
  /** Item fields (top-level keys a grader reads as {{ item.* }}) and their JSON types, when tracked. */
  fieldKeys?: string[];
  fieldTypes?: JsonType[];
}

export interface LineCheckContext {
  format: FileFormat;
  /** The line's UTF-8 bytes, when the caller has them: hashing them skips re-encoding the text. */
  bytes?: Uint8Array;
  start?: number;
  end?: number;
  /** SFT files: the per-example token limit and the model it is for (as messages name it). */
  sftTokens?: SftTokenLimit;
}

/** Plain data (it is sent to the check workers). */
export interface SftTokenLimit {
  limit: number;
  /** The model, and how it was chosen, for messages. */
  model: string;
}

/** Margin for the per-message overhead when a line's byte length bounds its token count. */
const TOKEN_BOUND_MARGIN = 16;

const NO_DIAGS: readonly Diagnostic[] = Object.freeze([]);
/** The empty line after a final newline: not a line of the file at all. */
export const PHANTOM_SUMMARY: LineSummary = Object.freeze({
  blank: true,
  kind: undefined,
  diags: NO_DIAGS,
  hash: 0,
});

const VALIDATORS: Record<string, ValidateFunction | undefined> = {
  rft: validateRft,
  sft: validateSft,
  dpo: validateDpo,
};

const ALLOWED_ROLES: Record<string, readonly string[]> = {
  rft: ['developer', 'user', 'assistant', 'tool'],
  sft: ['system', 'user', 'assistant', 'tool', 'function'],
  dpo: ['system', 'user', 'assistant', 'tool', 'function'],
};

const RFT_RESERVED = new Set(['messages', 'tools']);
const SFT_KEYS = new Set(['messages', 'tools', 'parallel_tool_calls', 'functions']);

export function jsonType(v: unknown): JsonType {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  const t = typeof v;
  return t === 'string' || t === 'number' || t === 'boolean' ? t : 'object';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// Scratch space for hashing text: its UTF-8 bytes.
let scratch = Buffer.alloc(1 << 16);
let scratchView = new DataView(scratch.buffer, scratch.byteOffset, scratch.byteLength);
// The view over the buffer hashBytes last read (a chunk: every line of it shares one view).
let lastBytes: Uint8Array | undefined;
let lastView: DataView | undefined;

/** JSON's whitespace (space, tab, LF, CR): trimmed before hashing, so indentation never hides a duplicate. */
function isJsonSpace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
}

/**
 * 53-bit hash (cyrb53-style mixing; two lanes take alternate little-endian 32-bit words, read in place) of
 * `bytes[start..end)` trimmed of JSON whitespace: duplicate detection keeps numbers, not lines.
 */
function hashRange(bytes: Uint8Array, view: DataView, start: number, end: number): number {
  while (start < end && isJsonSpace(bytes[start])) start++;
  while (end > start && isJsonSpace(bytes[end - 1])) end--;
  const n = end - start;
  let h1 = 0xdeadbeef ^ n;
  let h2 = 0x41c6ce57 ^ n;
  const pairsEnd = start + (n & ~7);
  let i = start;
  for (; i < pairsEnd; i += 8) {
    h1 = Math.imul(h1 ^ view.getInt32(i, true), 2654435761);
    h2 = Math.imul(h2 ^ view.getInt32(i + 4, true), 1597334677);
  }
  if (end - i >= 4) {
    h1 = Math.imul(h1 ^ view.getInt32(i, true), 2654435761);
    i += 4;
  }
  for (; i < end; i++) h2 = Math.imul(h2 ^ bytes[i], 1597334677);
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0) || 1;
}

/** Hash of a line's text (its UTF-8 bytes; the same value hashBytes gives for those bytes). */
export function hashLine(text: string): number {
  if (text.length * 3 > scratch.length) {
    scratch = Buffer.alloc(text.length * 3 + 1024);
    scratchView = new DataView(scratch.buffer, scratch.byteOffset, scratch.byteLength);
  }
  return hashRange(scratch, scratchView, 0, scratch.write(text, 0, 'utf8'));
}

/** Hash of a line held as UTF-8 bytes (`bytes[start..end)`), read in place without decoding it. */
export function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  if (bytes !== lastBytes) {
    lastBytes = bytes;
    lastView = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  return hashRange(bytes, lastView!, start, end);
}

class LineDiagnostics {
  list: Diagnostic[] = NO_DIAGS as Diagnostic[];
  private treeCache: LineTree | undefined;
  private constructor(private text: string) {}
  private static shared = new LineDiagnostics('');
  /** The collector for `text`: one reused instance (checkLine is not re-entrant; `list` is always new). */
  static for(text: string): LineDiagnostics {
    const d = LineDiagnostics.shared;
    d.text = text;
    d.list = NO_DIAGS as Diagnostic[];
    d.treeCache = undefined;
    return d;
  }
  get tree(): LineTree {
    return (this.treeCache ??= new LineTree(this.text));
  }
  add(
    code: DatasetRuleCode,
    span: Span,
    message: string,
    data?: unknown,
    severity = ruleSeverity(code),
  ): void {
    for (const d of this.list)
      if (d.code === code && d.range.start.character === span.start && d.range.end.character === span.end)
        return;
    if (this.list === NO_DIAGS) this.list = [];
    this.list.push({
      range: { start: { line: 0, character: span.start }, end: { line: 0, character: span.end } },
      severity,
      code,
      message,
      ...(data !== undefined ? { data } : {}),
    });
  }
}

/** The item fields of a parsed line for a file format, or undefined when the format has none. */
export function itemFieldsOf(value: unknown, format: FileFormat): Record<string, unknown> | undefined {
  if (!isObject(value)) return undefined;
  switch (format) {
    case 'rft': {
      const out: Record<string, unknown> = {};
      for (const k in value) if (!RFT_RESERVED.has(k)) out[k] = value[k];
      return out;
    }
    case 'eval-items':
      return isObject(value.item) ? value.item : undefined;
    case 'records':
      return value;
    default:
      return undefined;
  }
}

/** Character column of the line's first byte that is not UTF-8, when the caller passed the bytes. */
function invalidUtf8Column(ctx: LineCheckContext): number | undefined {
  if (!ctx.bytes) return undefined;
  const start = ctx.start ?? 0;
  const line = ctx.bytes.subarray(start, ctx.end ?? ctx.bytes.length);
  const bad = firstInvalidUtf8(line);
  if (bad === undefined) return undefined;
  // The bytes before it are valid, so their decoded length is the column in the text the editor shows.
  return Buffer.from(line.buffer, line.byteOffset, bad).toString('utf8').length;
}

function addInvalidUtf8(d: LineDiagnostics, column: number): void {
  d.add(
    'jsonl/invalid-utf8',
    { start: column, end: column + 1 },
    'Not valid UTF-8 from here: the platform rejects files that are not UTF-8 (save the file as UTF-8).',
  );
}

let lastKeys: string[] = [];
let lastTypes: JsonType[] = [];
const scratchKeys: string[] = [];
const scratchTypes: JsonType[] = [];

/** Parses and checks one line. `text` excludes the line terminator (and the BOM on line 0). */
export function checkLine(text: string, ctx: LineCheckContext): LineSummary {
  if (isBlank(text)) {
    const d = LineDiagnostics.for(text);
    d.add(
      'jsonl/blank-line',
      { start: 0, end: text.length },
      'Blank line: a JSONL file has exactly one example on every line.',
      { fix: 'delete-line' },
    );
    return { blank: true, kind: undefined, diags: d.list, hash: 0 };
  }
  const badUtf8 = invalidUtf8Column(ctx);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const d = LineDiagnostics.for(text);
    if (badUtf8 !== undefined) addInvalidUtf8(d, badUtf8);
    const { span, message } = locateSyntaxError(text, (e as Error).message);
    const trimmed = text.trim();
    const multiline =
      trimmed === '{' ||
      trimmed === '[' ||
      trimmed === '}' ||
      trimmed === ']' ||
      /^"[^"]*"\s*:/.test(trimmed);
    d.add(
      'jsonl/invalid-json',
      span,
      `Invalid JSON: ${message}.${multiline ? ' Each example must be one JSON object on a single line; pretty-printed JSON is not JSONL.' : ''}`,
    );
    return { blank: false, kind: undefined, diags: d.list, hash: 0 };
  }
  const kind = detectLineKind(value);
  const hash = ctx.bytes ? hashBytes(ctx.bytes, ctx.start ?? 0, ctx.end ?? ctx.bytes.length) : hashLine(text);
  const d = LineDiagnostics.for(text);
  if (badUtf8 !== undefined) addInvalidUtf8(d, badUtf8);
  if (typeof value === 'object' && value !== null)
    for (const k of findDuplicateKeys(text))
      d.add(
        'jsonl/duplicate-key',
        { start: k.start, end: k.end },
        `Key ${JSON.stringify(k.key)} appears twice in this object: JSON.parse keeps the last value, other parsers may keep the first or reject the line.`,
      );
  if (!isObject(value)) {
    d.add(
      'jsonl/not-object',
      d.tree.lineSpan(),
      `Each line must be a JSON object, not ${article(jsonType(value))}.`,
    );
    return { blank: false, kind, diags: d.list, hash };
  }
  const format = ctx.format;
  const validate = VALIDATORS[format];
  if (validate) {
    if (!validate(value)) schemaDiagnostics(validate.errors ?? [], value, kind, format, d);
    formatRules(value, format, d);
    if (format === 'sft' && ctx.sftTokens) checkSftTokens(value, text, ctx, ctx.sftTokens, d);
  }
  let fieldKeys: string[] | undefined;
  let fieldTypes: JsonType[] | undefined;
  if (format === 'rft') {
    // The hot path (RFT files): read the keys directly instead of copying the item fields.
    // Consecutive examples usually share keys and types: reuse the previous line's arrays (they are never
    // mutated) instead of allocating two per line.
    let n = 0;
    let same = true;
    for (const k in value) {
      if (k === 'messages' || k === 'tools') continue;
      const t = jsonType(value[k]);
      if (same && (lastKeys[n] !== k || lastTypes[n] !== t)) same = false;
      scratchKeys[n] = k;
      scratchTypes[n] = t;
      n++;
    }
    if (!same || n !== lastKeys.length) {
      lastKeys = scratchKeys.slice(0, n);
      lastTypes = scratchTypes.slice(0, n);
    }
    fieldKeys = lastKeys;
    fieldTypes = lastTypes;
  } else {
    const fields = itemFieldsOf(value, format);
    if (fields) {
      fieldKeys = Object.keys(fields);
      fieldTypes = fieldKeys.map((k) => jsonType(fields[k]));
    }
  }
  return { blank: false, kind, diags: d.list.length ? d.list : NO_DIAGS, hash, fieldKeys, fieldTypes };
}

/** The kind of a line's text without checking it: undefined for blank lines, `unknown` for invalid JSON. */
export function kindOfText(text: string): LineKind | undefined {
  if (isBlank(text)) return undefined;
  try {
    return detectLineKind(JSON.parse(text));
  } catch {
    return 'unknown';
  }
}

export function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0a) return false;
  }
  return true;
}

function article(t: string): string {
  return /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`;
}

function at(value: unknown, path: readonly (string | number)[]): unknown {
  let v: unknown = value;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

const KIND_HINT: Partial<Record<LineKind, string>> = {
  rft: 'this line looks like an RFT example',
  sft: 'this line looks like an SFT chat example',
  dpo: 'this line looks like a DPO preference example',
  'eval-item': 'this line is an {"item": …} evaluation row',
  'bare-record': 'this line has no "messages"',
};

function schemaDiagnostics(
  errors: readonly ErrorObject[],
  value: Record<string, unknown>,
  kind: LineKind,
  format: FileFormat,
  d: LineDiagnostics,
): void {
  for (const e of errors) {
    if (e.keyword === 'if' || e.schemaPath.includes('/anyOf/')) continue;
    const path = pointerToPath(e.instancePath);
    const where = pathToDisplay(path);
    const actual = at(value, path);
    switch (e.keyword) {
      case 'required': {
        const missing = String((e.params as { missingProperty: string }).missingProperty);
        let msg = path.length
          ? `${where} is missing the required property "${missing}".`
          : `Missing required property "${missing}".`;
        if (!path.length && kind !== format && KIND_HINT[kind])
          msg += ` The file is ${format.toUpperCase()} but ${KIND_HINT[kind]}.`;
        if (
          !path.length &&
          (missing === 'preferred_output' || missing === 'non_preferred_output') &&
          `${missing.replace('_output', '_completion')}` in value
        )
          msg += ` Found "${missing.replace('_output', '_completion')}": the guide and the API use "${missing}".`;
        d.add('schema/required', path.length ? d.tree.valueSpan(path) : d.tree.lineSpan(), msg);
        break;
      }
      case 'anyOf':
        d.add(
          'schema/required',
          d.tree.valueSpan(path),
          `${where}: an assistant message needs "content" (or "tool_calls").`,
        );
        break;
      case 'type': {
        const want = ([] as string[]).concat((e.params as { type: string | string[] }).type);
        d.add(
          'schema/type',
          d.tree.valueSpan(path),
          `${where} must be ${want.map(article).join(' or ')}, not ${article(jsonType(actual))}.`,
        );
        break;
      }
      case 'enum': {
        const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
        if (path[path.length - 1] === 'role' && typeof path[path.length - 2] === 'number') {
          roleDiagnostic(path, actual, format, d);
        } else {
          d.add(
            'schema/enum',
            d.tree.valueSpan(path),
            `${where} must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}; found ${JSON.stringify(actual)}.`,
          );
        }
        break;
      }
      case 'const': {
        const allowed = (e.params as { allowedValue: unknown }).allowedValue;
        d.add(
          'schema/const',
          d.tree.valueSpan(path),
          `${where} must be ${JSON.stringify(allowed)}; found ${JSON.stringify(actual)}.`,
        );
        break;
      }
      case 'minItems': {
        const limit = (e.params as { limit: number }).limit;
        d.add(
          'schema/min-items',
          d.tree.valueSpan(path),
          limit === 1 ? `${where} must not be empty.` : `${where} must have at least ${limit} items.`,
        );
        break;
      }
      case 'maxItems':
        d.add(
          'schema/max-items',
          d.tree.valueSpan(path),
          `${where} must have at most ${(e.params as { limit: number }).limit} items.`,
        );
        break;
      case 'pattern':
        d.add(
          'schema/pattern',
          d.tree.valueSpan(path),
          `${where} ${JSON.stringify(actual)} is not allowed: use a-z, A-Z, 0-9, "_" and "-", at most 64 characters.`,
        );
        break;
      default:
        d.add('schema/invalid', d.tree.valueSpan(path), `${where} ${e.message ?? 'is invalid'}.`);
    }
  }
}

function roleDiagnostic(
  path: (string | number)[],
  role: unknown,
  format: FileFormat,
  d: LineDiagnostics,
): void {
  const span = d.tree.valueSpan(path);
  if (format === 'rft' && role === 'system') {
    d.add(
      'rft/system-role',
      span,
      'RFT examples use "developer" instead of "system" (system is not in the RFT schema).',
      {
        fix: 'system-to-developer',
      },
    );
    return;
  }
  const allowed = ALLOWED_ROLES[format] ?? [];
  const hint = format === 'rft' ? '' : role === 'developer' ? ' (use "system" in SFT and DPO files)' : '';
  d.add(
    'message/role-not-allowed',
    span,
    `Role ${JSON.stringify(role)} is not allowed in ${format.toUpperCase()} examples${hint}; use ${allowed.join(', ')}.`,
  );
}

function checkMessages(messages: unknown, base: (string | number)[], d: LineDiagnostics): void {
  if (!Array.isArray(messages)) return;
  for (let i = 0; i < messages.length; i++) {
    const m: unknown = messages[i];
    if (!isObject(m)) continue;
    const content = m.content;
    const empty =
      (typeof content === 'string' && isBlank(content)) || (Array.isArray(content) && content.length === 0);
    const toolCallTurn =
      m.role === 'assistant' && (m.tool_calls !== undefined || m.function_call !== undefined);
    if (empty && !toolCallTurn) {
      d.add(
        'message/empty-content',
        d.tree.valueSpan([...base, i, 'content']),
        `${pathToDisplay([...base, i])} (${String(m.role)}) has empty content.`,
      );
    }
  }
}

function checkTools(tools: unknown, base: (string | number)[], d: LineDiagnostics): void {
  if (!Array.isArray(tools)) return;
  const seen = new Set<string>();
  for (let i = 0; i < tools.length; i++) {
    const t: unknown = tools[i];
    const name = isObject(t) && isObject(t.function) ? t.function.name : undefined;
    if (typeof name !== 'string') continue;
    if (seen.has(name))
      d.add(
        'tools/duplicate-name',
        d.tree.valueSpan([...base, i, 'function', 'name']),
        `Another tool in this example is already named ${JSON.stringify(name)}.`,
      );
    seen.add(name);
  }
}

/** The cookbook's "examples over the token limit": counted only when the line is long enough to be one. */
function checkSftTokens(
  value: Record<string, unknown>,
  text: string,
  ctx: LineCheckContext,
  t: SftTokenLimit,
  d: LineDiagnostics,
): void {
  if (!Array.isArray(value.messages)) return;
  // A token is at least one UTF-8 byte of the line, so a short line cannot be over (and is never tokenized).
  if (text.length * 3 + TOKEN_BOUND_MARGIN <= t.limit) return;
  const bytes =
    ctx.bytes && ctx.end !== undefined ? ctx.end - (ctx.start ?? 0) : Buffer.byteLength(text, 'utf8');
  if (bytes + TOKEN_BOUND_MARGIN <= t.limit) return;
  const n = countMessagesTokens(value.messages as unknown[], value.tools);
  if (n <= t.limit) return;
  d.add(
    'sft/too-many-tokens',
    d.tree.keySpan(['messages']),
    `This example has ${n.toLocaleString('en-US')} tokens; ${t.model} trains on at most ${t.limit.toLocaleString('en-US')} per example, so the rest is truncated.`,
    { tokens: n, limit: t.limit },
  );
}

function formatRules(value: Record<string, unknown>, format: FileFormat, d: LineDiagnostics): void {
  if (format === 'rft' || format === 'sft') {
    const messages = value.messages;
    checkMessages(messages, ['messages'], d);
    checkTools(value.tools, ['tools'], d);
    if (!Array.isArray(messages) || messages.length === 0) return;
    if (format === 'rft') {
      const last: unknown = messages[messages.length - 1];
      const role = isObject(last) ? last.role : undefined;
      // An unknown role is already its own error; the last-message rule is about valid roles in the wrong place.
      if (
        typeof role === 'string' &&
        role !== 'user' &&
        (ALLOWED_ROLES.rft.includes(role) || role === 'system')
      ) {
        const idx = messages.length - 1;
        const assistantAnswer = role === 'assistant' && isObject(last) && typeof last.content === 'string';
        d.add(
          'rft/last-message-not-user',
          d.tree.valueSpan(['messages', idx]),
          assistantAnswer
            ? 'The last message of an RFT example must be a user message; this one ends with an assistant answer (SFT style). Move the answer into a reference field for the grader.'
            : `The last message of an RFT example must be a user message, not ${JSON.stringify(role)}.`,
          assistantAnswer ? { fix: 'sft-to-rft' } : undefined,
        );
      }
    } else {
      let trainable = false;
      let zeroWeight: number | undefined;
      let hasUser = false;
      let hasSystem = false;
      for (let i = 0; i < messages.length; i++) {
        const m: unknown = messages[i];
        if (isObject(m) && m.role === 'user') hasUser = true;
        if (isObject(m) && m.role === 'system') hasSystem = true;
        if (!isObject(m) || m.role !== 'assistant') continue;
        if (m.weight === 0) zeroWeight ??= i;
        else trainable = true;
      }
      if (!trainable) {
        d.add(
          'sft/no-trainable-assistant',
          zeroWeight !== undefined
            ? d.tree.propertySpan(['messages', zeroWeight, 'weight'])
            : d.tree.keySpan(['messages']),
          zeroWeight !== undefined
            ? 'Every assistant message has weight 0, so this example teaches nothing; set weight 1 on at least one.'
            : 'An SFT example needs an assistant message to learn from; this one has none.',
        );
      }
      // The OpenAI cookbook's chat data-format check: examples missing a user or a system message.
      if (!hasUser)
        d.add(
          'sft/no-user-message',
          d.tree.keySpan(['messages']),
          'This example has no user message: the assistant answers nothing.',
        );
      // Counted once per file by the aggregation (see capDiagnostics); reported per line here.
      if (!hasSystem)
        d.add('sft/no-system-message', d.tree.keySpan(['messages']), 'This example has no system message.');
      for (const k of Object.keys(value)) {
        if (!SFT_KEYS.has(k))
          d.add(
            'sft/unknown-key',
            d.tree.keySpan([k]),
            `"${k}" is not part of the SFT chat format (messages, tools, parallel_tool_calls, functions).`,
            { fix: 'remove-key', key: k },
          );
      }
    }
    return;
  }
  if (format === 'dpo') {
    const input = value.input;
    if (isObject(input)) {
      checkMessages(input.messages, ['input', 'messages'], d);
      checkTools(input.tools, ['input', 'tools'], d);
    }
    for (const key of ['preferred_output', 'non_preferred_output'] as const) {
      const out = value[key];
      if (Array.isArray(out)) {
        if (out.length !== 1)
          d.add(
            'dpo/output-count',
            d.tree.valueSpan([key]),
            `${key} must hold exactly one assistant message; it has ${out.length}.`,
          );
        checkMessages(out, [key], d);
      }
    }
    for (const key of ['preferred_completion', 'non_preferred_completion'] as const) {
      if (key in value)
        d.add(
          'dpo/completion-field-names',
          d.tree.keySpan([key]),
          `"${key}" is the 2025-05 spec name; the DPO guide and the API use "${key.replace('_completion', '_output')}".`,
          {
            fix: 'rename-key',
            key,
            to: key.replace('_completion', '_output'),
          },
        );
    }
  }
}
