// Grader lint: JSON text → diagnostics with exact ranges (JSON syntax, the grader schema, per-type
// rules, formulas, python source, templates) and cross-file checks against a linked dataset and
// response format (reference §7 item 2).
import type { Node, ParseError } from 'jsonc-parser';
import { findNodeAtLocation, getNodeValue, parseTree, printParseErrorCode } from 'jsonc-parser';
import { findExcessiveNesting, MAX_JSON_DEPTH, tooDeepMessage } from '../json/depth';
import type { Diagnostic, Range, Severity } from '../diagnostics';
import { compareDiagnostics } from '../diagnostics';
import validateGrader from '../generated/grader.validator';
import { datasetFieldsFromItems } from './datasetFields';
import { FORMULA_FUNCTIONS, FormulaError, formulaVariables, parseFormula } from './formula';
import {
  formatPath,
  parseTemplate,
  unterminatedTemplate,
  type PathSegment,
  type TemplateRef,
} from './template';

/** Field statistics of a dataset, probed by template path (e.g. `reference_answer[0].code`). */
export interface DatasetItemFields {
  /** Dataset path, for messages and related locations. */
  source?: string;
  /** Number of items (dataset lines that hold a JSON object). */
  count: number;
  /** Where the path is missing and which JSON types it has where present. */
  probe(path: string): FieldProbe;
}

export interface FieldProbe {
  missing: number;
  /** 1-based line numbers of the first items missing the path (at most 5). */
  firstMissingLines: number[];
  /** JSON type name (string, number, integer, boolean, null, array, object) → count. */
  types: Record<string, number>;
  /** Values on the first dataset lines (for hovers): 1-based line and value (undefined = missing). */
  firstValues: Array<{ line: number; value: unknown }>;
  /** JSON type name → 1-based line of its first example (for cross-file messages). */
  firstLineByType?: Record<string, number>;
}

export interface GraderLintContext {
  /** Path of the grader file (for messages). */
  path?: string;
  /** The linked dataset: parsed items, or precomputed field statistics. */
  datasetItems?: Array<Record<string, unknown>> | DatasetItemFields;
  /**
   * Several datasets the grader will grade (a job's training and validation files): each is checked like
   * `datasetItems`, and a field whose JSON type differs between them is reported. Replaces `datasetItems`.
   */
  datasets?: DatasetItemFields[];
  /**
   * The job's `method.reinforcement.response_format` (Chat Completions shape) or a bare JSON schema.
   * `null` = known to have none (linked job without one); `undefined` = unknown.
   */
  responseFormat?: unknown;
  /** `rft` (default): the grader is a job's top-level grader; `multi-child`: linting a child on its own. */
  context?: 'rft' | 'multi-child';
}

export const MAX_PYTHON_SOURCE_BYTES = 256 * 1024;

export const SCORE_MODEL_ALLOWED = [
  'gpt-4o-2024-08-06',
  'gpt-4o-mini-2024-07-18',
  'gpt-4.1-2025-04-14',
  'gpt-4.1-mini-2025-04-14',
  'gpt-4.1-nano-2025-04-14',
  'o1-2024-12-17',
  'o3-mini-2025-01-31',
  'o3-2025-04-16',
  'o4-mini-2025-04-16',
];

/** Rule catalogue (codes are stable; shown in SARIF and docs). */
export const GRADER_LINT_RULES: ReadonlyArray<{ code: string; description: string }> = [
  { code: 'grader/json-syntax', description: 'The grader file is not valid JSON.' },
  {
    code: 'grader/shell-quoted',
    description:
      'The whole grader JSON is wrapped in single quotes (a shell-quoting leftover such as \'{"type": …}\').',
  },
  {
    code: 'grader/json-too-deep',
    description: `The grader nests arrays/objects more than ${MAX_JSON_DEPTH} levels deep; it is refused unparsed.`,
  },
  {
    code: 'grader/duplicate-key',
    description: 'A key appears twice in one object; JSON.parse keeps the last.',
  },
  {
    code: 'grader/schema',
    description: 'The grader does not match the grader schema (required fields, types, enums).',
  },
  { code: 'grader/type-not-allowed', description: 'label_model only inside multi; no multi inside multi.' },
  { code: 'grader/operation-neq', description: 'string_check uses `ne`, not `neq`.' },
  { code: 'grader/passing-labels', description: 'passing_labels must be a subset of labels.' },
  { code: 'grader/formula-syntax', description: 'calculate_output does not parse.' },
  {
    code: 'grader/formula-unknown-variable',
    description: 'calculate_output names a variable that is not a grader key.',
  },
  {
    code: 'grader/formula-unused-grader',
    description: 'A multi child grader is not used by calculate_output.',
  },
  { code: 'grader/python-too-large', description: 'Python source is over 256 kB.' },
  {
    code: 'grader/python-no-grade',
    description: 'Python source has no top-level `grade` function taking exactly two arguments.',
  },
  {
    code: 'grader/model-not-allowed',
    description: 'score_model/label_model model is not on the documented allow-list.',
  },
  { code: 'grader/temperature-reasoning', description: 'temperature is not supported for reasoning models.' },
  {
    code: 'grader/reasoning-effort-non-reasoning',
    description: 'reasoning_effort is not supported for non-reasoning models.',
  },
  { code: 'grader/range', description: 'score_model range must be [min, max] with min < max.' },
  { code: 'grader/cosine-rft', description: 'text_similarity cosine is only available for evals, not RFT.' },
  {
    code: 'grader/template-syntax',
    description: 'A `{{ }}` template is malformed or uses a namespace other than item/sample.',
  },
  {
    code: 'grader/template-unterminated',
    description:
      'A `{{` with no `}}` after it: the platform leaves the text as it is instead of substituting.',
  },
  {
    code: 'grader/template-sample-var',
    description: 'A `sample.` template names a variable the sample does not have.',
  },
  {
    code: 'grader/like-direction',
    description: 'like/ilike test "input contains reference"; sample.* on the reference side inverts it.',
  },
  {
    code: 'grader/constant-check',
    description: 'A string_check or text_similarity has no template: its reward never changes.',
  },
  {
    code: 'grader/output-json-no-format',
    description: 'sample.output_json is used but no response_format is set.',
  },
  {
    code: 'grader/output-json-key',
    description: 'sample.output_json names a key the response format schema does not have.',
  },
  { code: 'grader/item-missing', description: 'A referenced item field is missing on some dataset lines.' },
  {
    code: 'grader/item-type-drift',
    description: 'A referenced item field has different JSON types on different lines.',
  },
  {
    code: 'grader/item-type-drift-across',
    description:
      'A referenced item field has a different JSON type in one dataset than in another (e.g. training vs validation file).',
  },
  {
    code: 'grader/pass-threshold',
    description: 'pass_threshold is an Evals field; its effect on RFT is unconfirmed.',
  },
  {
    code: 'grader/endpoint-preview',
    description: 'endpoint graders are a private preview and are not run locally.',
  },
];

const SAMPLE_VARS = ['output_text', 'output_json', 'output_tools', 'choices', 'output_audio'];

export function isReasoningModel(model: string): boolean {
  return /^(o\d|gpt-5)/.test(model);
}

class LineIndex {
  private readonly starts: number[] = [0];
  constructor(text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }
  pos(offset: number) {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: offset - this.starts[lo]! };
  }
  range(start: number, end: number): Range {
    return { start: this.pos(start), end: this.pos(Math.max(start, end)) };
  }
}

/** Maps a decoded JSON string's UTF-16 index to its offset in the document (escapes make them differ). */
export function stringOffsets(text: string, node: Node): (index: number) => number {
  const rawStart = node.offset + 1;
  const raw = text.slice(rawStart, node.offset + node.length - 1);
  const map: number[] = [];
  for (let i = 0; i < raw.length;) {
    map.push(rawStart + i);
    if (raw[i] === '\\') i += raw[i + 1] === 'u' ? 6 : 2;
    else i++;
  }
  map.push(rawStart + raw.length);
  return (index: number) => map[Math.min(Math.max(index, 0), map.length - 1)]!;
}

interface Ctx {
  text: string;
  lines: LineIndex;
  out: Diagnostic[];
  lint: GraderLintContext;
  fields?: DatasetItemFields;
  /** Every dataset when several are checked together (then `fields` is each of them in turn). */
  fieldSets?: DatasetItemFields[];
  rfSchema?: unknown;
  /** Per-run memo of dataset probes reported (one diagnostic per path and location). */
}

function push(
  c: Ctx,
  node: Node | undefined,
  severity: Severity,
  code: string,
  message: string,
  data?: unknown,
  span?: [number, number],
) {
  const start = span ? span[0] : node ? node.offset : 0;
  const end = span ? span[1] : node ? node.offset + node.length : 1;
  c.out.push({
    range: c.lines.range(start, end),
    severity,
    code,
    message,
    ...(data !== undefined ? { data } : {}),
  });
}

function prop(obj: Node | undefined, key: string): Node | undefined {
  if (!obj || obj.type !== 'object') return undefined;
  for (const p of obj.children ?? []) if (p.children?.[0]?.value === key) return p.children[1];
  return undefined;
}

function keyNode(obj: Node | undefined, key: string): Node | undefined {
  if (!obj || obj.type !== 'object') return undefined;
  for (const p of obj.children ?? []) if (p.children?.[0]?.value === key) return p.children[0];
  return undefined;
}

function checkDuplicateKeys(c: Ctx, node: Node): void {
  if (node.type === 'object') {
    const seen = new Set<string>();
    for (const p of node.children ?? []) {
      const k = p.children?.[0];
      if (!k) continue;
      if (seen.has(String(k.value)))
        push(
          c,
          k,
          'error',
          'grader/duplicate-key',
          `duplicate key "${String(k.value)}": only the last one counts`,
        );
      seen.add(String(k.value));
    }
  }
  for (const ch of node.children ?? []) checkDuplicateKeys(c, ch);
}

const SYNTAX: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'invalid number',
  PropertyNameExpected: 'expected a property name in double quotes',
  ValueExpected: 'expected a value',
  ColonExpected: "expected ':'",
  CommaExpected: "expected ','",
  CloseBraceExpected: "expected '}'",
  CloseBracketExpected: "expected ']'",
  EndOfFileExpected: 'unexpected text after the grader object',
  InvalidCommentToken: 'comments are not allowed in JSON',
  UnexpectedEndOfComment: 'unterminated comment',
  UnexpectedEndOfString: 'unterminated string',
  UnexpectedEndOfNumber: 'unterminated number',
  InvalidUnicode: 'invalid \\u escape',
  InvalidEscapeCharacter: 'invalid escape character',
  InvalidCharacter: 'control characters must be escaped in JSON strings',
};

function schemaDiagnostics(c: Ctx, root: Node, value: unknown, asChild: boolean): void {
  // A child linted on its own is validated as the only grader of a multi, then mapped back.
  const prefix = '/graders/child';
  const subject = asChild
    ? { type: 'multi', name: 'wrapper', graders: { child: value }, calculate_output: 'child' }
    : value;
  if (validateGrader(subject)) return;
  const seen = new Set<string>();
  for (const e of validateGrader.errors ?? []) {
    if (e.keyword === 'if' || (e.keyword === 'not' && e.instancePath === '')) continue;
    let instancePath = e.instancePath;
    if (asChild) {
      if (instancePath !== prefix && !instancePath.startsWith(`${prefix}/`)) continue;
      instancePath = instancePath.slice(prefix.length);
    }
    const path: PathSegment[] = instancePath
      ? instancePath
          .slice(1)
          .split('/')
          .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
          .map((s) => (/^\d+$/.test(s) ? Number(s) : s))
      : [];
    const node = findNodeAtLocation(root, path) ?? root;
    let target: Node = node;
    let message = e.message ?? 'does not match the grader schema';
    const where = path.length ? `${path.join('.')}: ` : '';
    const params = e.params as Record<string, unknown>;
    switch (e.keyword) {
      case 'additionalProperty':
      case 'additionalProperties': {
        const k = String(params.additionalProperty);
        target = keyNode(node, k) ?? node;
        message = `unknown property "${k}"`;
        break;
      }
      case 'required': {
        const parentKey = path.length ? findNodeAtLocation(root, path)?.parent?.children?.[0] : undefined;
        target = parentKey && parentKey !== node ? parentKey : { ...node, length: 1 };
        message = `missing required property "${String(params.missingProperty)}"`;
        break;
      }
      case 'enum': {
        const allowed = (params.allowedValues as unknown[]).filter((v) => v !== null);
        const v = getNodeValue(node) as unknown;
        if (path[path.length - 1] === 'operation' && v === 'neq') {
          push(
            c,
            node,
            'error',
            'grader/operation-neq',
            'use "ne": the guide says "neq" but the API only accepts "ne"',
            { replace: 'ne' },
          );
          continue;
        }
        message = `${JSON.stringify(v)} is not allowed; expected one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`;
        break;
      }
      case 'const':
        continue; // reported through the dispatching `type` enum
      case 'type':
        message = `must be ${String(params.type).replace(/,/g, ' or ')}`;
        break;
      case 'maxLength':
        if (path[path.length - 1] === 'source') continue; // python-too-large says it better
        break;
    }
    const key = `${target.offset}:${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    push(c, target, 'error', 'grader/schema', `${where}${message}`);
  }
}

function checkTemplatesIn(
  c: Ctx,
  node: Node | undefined,
  where: 'input' | 'reference' | 'content',
): TemplateRef[] {
  if (!node || node.type !== 'string') return [];
  const value = String(node.value);
  const refs = parseTemplate(value);
  const unclosed = unterminatedTemplate(value);
  if (unclosed !== undefined) {
    const at = stringOffsets(c.text, node);
    push(
      c,
      node,
      'warning',
      'grader/template-unterminated',
      `"{{" without "}}": the platform leaves "${value.slice(unclosed, unclosed + 40)}${value.length - unclosed > 40 ? '…' : ''}" as literal text`,
      undefined,
      [at(unclosed), at(value.length)],
    );
  }
  if (!refs.length) return refs;
  const off = stringOffsets(c.text, node);
  for (const ref of refs) {
    const span: [number, number] = [off(ref.start), off(ref.end)];
    const exprSpan: [number, number] = [off(ref.exprStart), off(ref.exprEnd)];
    if (ref.error) {
      push(c, node, 'error', 'grader/template-syntax', `{{${ref.raw}}}: ${ref.error}`, undefined, span);
      continue;
    }
    if (ref.namespace === 'sample') checkSampleRef(c, ref, exprSpan);
    else checkItemRef(c, ref, exprSpan);
  }
  void where;
  return refs;
}

function checkSampleRef(c: Ctx, ref: TemplateRef, span: [number, number]): void {
  const head = String(ref.path[0]);
  if (!SAMPLE_VARS.includes(head)) {
    push(
      c,
      undefined,
      'error',
      'grader/template-sample-var',
      `sample has no "${head}": use one of ${SAMPLE_VARS.join(', ')}`,
      undefined,
      span,
    );
    return;
  }
  if (head !== 'output_json') return;
  const rf = c.lint.responseFormat;
  if (rf === null) {
    push(
      c,
      undefined,
      'error',
      'grader/output-json-no-format',
      'sample.output_json is only populated when the job sets a response_format, and this one has none: use sample.output_text or add a response format',
      undefined,
      span,
    );
    return;
  }
  if (rf === undefined || ref.path.length < 2) return;
  const schema = c.rfSchema;
  const check = schemaAtPath(schema, ref.path.slice(1));
  if (!check.ok) {
    const known = check.keys.length ? ` (keys there: ${check.keys.join(', ')})` : '';
    push(
      c,
      undefined,
      'error',
      'grader/output-json-key',
      `the response format schema has no ${formatPath('sample', ref.path.slice(0, check.depth + 2))}${known}`,
      undefined,
      span,
    );
  }
}

function checkItemRef(c: Ctx, ref: TemplateRef, span: [number, number]): void {
  if (!c.fieldSets) return checkItemRefIn(c, c.fields, ref, span, '');
  for (const f of c.fieldSets) checkItemRefIn(c, f, ref, span, `${baseName(f.source) ?? 'dataset'}: `);
  checkDriftAcross(c, c.fieldSets, ref, span);
}

function baseName(p: string | undefined): string | undefined {
  return p?.split(/[\\/]/).pop();
}

const mergedType = (t: string) => (t === 'integer' ? 'number' : t);

/** A field that is, say, a string in the training file but a number in the validation file. */
function checkDriftAcross(
  c: Ctx,
  sets: readonly DatasetItemFields[],
  ref: TemplateRef,
  span: [number, number],
): void {
  const path = formatPath('item', ref.path).slice('item.'.length);
  const seen = sets
    .filter((f) => f.count > 0)
    .map((f) => {
      const probe = f.probe(path);
      const types = [...new Set(Object.keys(probe.types).map(mergedType))].sort();
      return { f, probe, types };
    })
    .filter((x) => x.types.length > 0);
  if (seen.length < 2) return;
  const key = (x: { types: string[] }) => x.types.join('/');
  if (seen.every((x) => key(x) === key(seen[0]!))) return;
  // Name one example per file, of a type the other files do not have where there is one.
  const examples = seen.map((x, i) => {
    const others = new Set(seen.filter((_, j) => j !== i).flatMap((y) => y.types));
    const type = x.types.find((t) => !others.has(t)) ?? x.types[0]!;
    const raw = Object.keys(x.probe.types).find((t) => mergedType(t) === type)!;
    const line = x.probe.firstLineByType?.[raw];
    return { f: x.f, type, line, label: baseName(x.f.source) ?? `dataset ${i + 1}` };
  });
  const article = (t: string) => (/^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`);
  const where = examples.map(
    (e) => `${article(e.type)} in ${e.label}${e.line !== undefined ? ` (line ${e.line})` : ''}`,
  );
  const name = `item.${path}`;
  push(
    c,
    undefined,
    'warning',
    'grader/item-type-drift-across',
    `${name} is ${where.join(' but ')}: the grader substitutes non-strings as JSON, so the files are graded differently`,
    { path: name, types: Object.fromEntries(examples.map((e) => [e.label, e.type])) },
    span,
  );
  const related = examples
    .filter((e) => e.f.source && e.line !== undefined)
    .map((e) => ({
      path: e.f.source,
      range: { start: { line: e.line! - 1, character: 0 }, end: { line: e.line! - 1, character: 0 } },
      message: `${name} is ${article(e.type)} here`,
    }));
  if (related.length) c.out[c.out.length - 1]!.related = related;
}

function checkItemRefIn(
  c: Ctx,
  f: DatasetItemFields | undefined,
  ref: TemplateRef,
  span: [number, number],
  label: string,
): void {
  if (!f || f.count === 0) return;
  const path = formatPath('item', ref.path).slice('item.'.length);
  const probe = f.probe(path);
  const name = `item.${path}`;
  const data = { path: name, missing: probe.missing, firstMissingLines: probe.firstMissingLines };
  if (probe.missing) {
    const related = f.source
      ? probe.firstMissingLines.slice(0, 3).map((line) => ({
          path: f.source,
          range: { start: { line: line - 1, character: 0 }, end: { line: line - 1, character: 0 } },
          message: `line ${line} has no ${name}`,
        }))
      : undefined;
    const first = probe.firstMissingLines.join(', ');
    const all = probe.missing === f.count;
    push(
      c,
      undefined,
      all ? 'error' : 'warning',
      'grader/item-missing',
      all
        ? `${label}${name} is missing on every dataset line (${f.count}): each row would score 0 with invalid_variable_error`
        : `${label}${name} is missing on ${probe.missing} of ${f.count} dataset lines (first: line ${first}): those rows score 0 with invalid_variable_error`,
      data,
      span,
    );
    if (related?.length) c.out[c.out.length - 1]!.related = related;
  }
  const types = Object.keys(probe.types);
  const merged = new Set(types.map((t) => (t === 'integer' ? 'number' : t)));
  if (merged.size > 1) {
    const desc = Object.entries(probe.types)
      .map(([t, n]) => `${t} ×${n}`)
      .join(', ');
    push(
      c,
      undefined,
      'warning',
      'grader/item-type-drift',
      `${label}${name} has different types across the dataset (${desc}); non-strings are substituted as JSON`,
      data,
      span,
    );
  }
}

/** The JSON schema inside a response format (Chat Completions shape, Responses shape, or bare). */
export function responseFormatSchema(rf: unknown): unknown {
  if (!rf || typeof rf !== 'object') return undefined;
  const o = rf as Record<string, unknown>;
  const js = o.json_schema as Record<string, unknown> | undefined;
  if (js && typeof js === 'object' && js.schema) return js.schema;
  if (o.schema && typeof o.schema === 'object') return o.schema; // Responses shape, or json_schema's inner {name, strict, schema}
  if (o.type === 'object' || o.properties) return o;
  return undefined;
}

function deref(root: unknown, s: unknown, depth = 0): Record<string, unknown> | undefined {
  if (!s || typeof s !== 'object' || depth > 20) return undefined;
  const o = s as Record<string, unknown>;
  if (typeof o.$ref === 'string' && o.$ref.startsWith('#/')) {
    let cur: unknown = root;
    for (const part of o.$ref.slice(2).split('/'))
      cur = (cur as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    return deref(root, cur, depth + 1);
  }
  return o;
}

/** Keys a (sub)schema allows at a position, following $ref, anyOf/oneOf/allOf and array items. */
function alternatives(root: unknown, s: unknown): Array<Record<string, unknown>> {
  const o = deref(root, s);
  if (!o) return [];
  const out: Array<Record<string, unknown>> = [o];
  for (const k of ['anyOf', 'oneOf', 'allOf'])
    if (Array.isArray(o[k])) for (const sub of o[k] as unknown[]) out.push(...alternatives(root, sub));
  return out;
}

/** Checks a path against a JSON schema; `ok:false` carries the depth where it broke and the keys there. */
export function schemaAtPath(
  root: unknown,
  path: readonly PathSegment[],
): { ok: true } | { ok: false; depth: number; keys: string[] } {
  let current: Array<Record<string, unknown>> = alternatives(root, root);
  for (let d = 0; d < path.length; d++) {
    const seg = path[d]!;
    const next: Array<Record<string, unknown>> = [];
    const keys: string[] = [];
    let open = false;
    for (const s of current) {
      if (typeof seg === 'number' || /^\d+$/.test(String(seg))) {
        if (s.items) next.push(...alternatives(root, s.items));
        else if (s.type === undefined && !s.properties) open = true;
        continue;
      }
      const props = s.properties as Record<string, unknown> | undefined;
      if (props) keys.push(...Object.keys(props));
      if (props && Object.prototype.hasOwnProperty.call(props, seg))
        next.push(...alternatives(root, props[seg]));
      else if (s.additionalProperties && s.additionalProperties !== false) {
        if (typeof s.additionalProperties === 'object')
          next.push(...alternatives(root, s.additionalProperties));
        else open = true;
      } else if (
        !props &&
        (s.type === undefined || s.type === 'object') &&
        s.additionalProperties === undefined
      )
        open = true;
    }
    if (open) return { ok: true };
    if (!next.length) return { ok: false, depth: d, keys: [...new Set(keys)] };
    current = next;
  }
  return { ok: true };
}

/** Property names (with types) at a path of a response format schema, for completion. */
export function responseFormatKeys(
  rf: unknown,
  path: readonly PathSegment[],
): Array<{ key: string; type?: string; description?: string }> {
  const root = responseFormatSchema(rf);
  if (!root) return [];
  let current = alternatives(root, root);
  for (const seg of path) {
    const next: Array<Record<string, unknown>> = [];
    for (const s of current) {
      if (typeof seg === 'number' || /^\d+$/.test(String(seg))) {
        if (s.items) next.push(...alternatives(root, s.items));
      } else {
        const props = s.properties as Record<string, unknown> | undefined;
        if (props?.[seg]) next.push(...alternatives(root, props[seg]));
      }
    }
    current = next;
  }
  const out = new Map<string, { key: string; type?: string; description?: string }>();
  for (const s of current) {
    for (const [k, v] of Object.entries((s.properties as Record<string, unknown>) ?? {})) {
      const d = deref(root, v);
      out.set(k, {
        key: k,
        type: Array.isArray(d?.type) ? (d!.type as string[]).join(' | ') : (d?.type as string | undefined),
        description: d?.description as string | undefined,
      });
    }
  }
  return [...out.values()];
}

const DEF_GRADE = /^(async\s+)?def\s+grade\s*\(([^)]*)\)\s*(?:->[^:]*)?:/m;
const LAMBDA_GRADE = /^grade\s*=\s*lambda\b([^:]*):/m;

/** Counts required positional parameters of a Python parameter list. */
function pythonArity(params: string): { required: number; total: number; variadic: boolean } {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of params.replace(/#[^\n]*/g, '')) {
    if ('([{'.includes(ch)) depth++;
    if (')]}'.includes(ch)) depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  let required = 0;
  let total = 0;
  let variadic = false;
  let kwOnly = false;
  for (const raw of parts.map((p) => p.trim()).filter(Boolean)) {
    if (raw === '/') continue;
    if (raw === '*') {
      kwOnly = true;
      continue;
    }
    if (raw.startsWith('**')) continue;
    if (raw.startsWith('*')) {
      variadic = true;
      kwOnly = true;
      continue;
    }
    if (kwOnly) {
      if (!raw.includes('=')) required += 100; // a required keyword-only argument: grade(s, i) can never be called
      continue;
    }
    total++;
    if (!raw.includes('=')) required++;
  }
  return { required, total, variadic };
}

function lintPython(c: Ctx, obj: Node): void {
  const srcNode = prop(obj, 'source');
  if (!srcNode || srcNode.type !== 'string') return;
  const source = String(srcNode.value);
  const bytes = Buffer.byteLength(source, 'utf8');
  if (bytes > MAX_PYTHON_SOURCE_BYTES)
    push(
      c,
      srcNode,
      'error',
      'grader/python-too-large',
      `python source is ${(bytes / 1024).toFixed(1)} kB; the platform accepts less than 256 kB`,
    );
  const off = stringOffsets(c.text, srcNode);
  const m = DEF_GRADE.exec(source);
  if (m) {
    const span: [number, number] = [off(m.index), off(m.index + m[0].length)];
    if (m[1]) {
      push(
        c,
        srcNode,
        'error',
        'grader/python-no-grade',
        'grade must be a plain function, not async',
        undefined,
        span,
      );
      return;
    }
    const a = pythonArity(m[2]!);
    const ok = a.required <= 2 && (a.total >= 2 || a.variadic) && a.required !== 100;
    if (!ok || a.required !== 2)
      push(
        c,
        srcNode,
        a.required === 2 || (ok && a.required < 2) ? 'warning' : 'error',
        'grader/python-no-grade',
        `grade must take exactly two arguments (sample, item); this one takes ${a.required >= 100 ? 'a required keyword-only argument' : `${a.required} required`}`,
        undefined,
        span,
      );
    return;
  }
  if (LAMBDA_GRADE.test(source)) return;
  push(
    c,
    srcNode,
    'error',
    'grader/python-no-grade',
    /\bdef\s+grade\b/.test(source)
      ? 'grade must be defined at the top level of the module (not indented)'
      : 'python source must define a top-level function grade(sample, item) -> float',
  );
}

function lintModelGrader(c: Ctx, obj: Node, type: 'score_model' | 'label_model'): void {
  const modelNode = prop(obj, 'model');
  const model = typeof modelNode?.value === 'string' ? modelNode.value : undefined;
  if (model && !SCORE_MODEL_ALLOWED.includes(model))
    push(
      c,
      modelNode,
      'warning',
      'grader/model-not-allowed',
      `"${model}" is not on the platform's documented grader model list; the job may reject it (an Azure deployment name is fine if it points at an allowed model)`,
      { allowed: SCORE_MODEL_ALLOWED },
    );
  const sp = prop(obj, 'sampling_params');
  if (model && sp) {
    const temp = prop(sp, 'temperature');
    const effort = prop(sp, 'reasoning_effort');
    if (isReasoningModel(model) && temp && temp.value !== null && temp.value !== 1)
      push(
        c,
        temp,
        'warning',
        'grader/temperature-reasoning',
        `temperature changes are not supported for reasoning models like ${model}`,
      );
    if (!isReasoningModel(model) && effort && effort.value !== null)
      push(
        c,
        effort,
        'error',
        'grader/reasoning-effort-non-reasoning',
        `reasoning_effort is not supported for non-reasoning models like ${model}`,
      );
  }
  if (type === 'score_model') {
    const range = prop(obj, 'range');
    const v = range ? (getNodeValue(range) as unknown) : undefined;
    if (
      Array.isArray(v) &&
      v.length === 2 &&
      typeof v[0] === 'number' &&
      typeof v[1] === 'number' &&
      !(v[0] < v[1])
    )
      push(
        c,
        range,
        'error',
        'grader/range',
        `range must be [min, max] with min < max; got [${v[0]}, ${v[1]}]`,
      );
  } else {
    const labels = prop(obj, 'labels');
    const passing = prop(obj, 'passing_labels');
    const labelSet = new Set(
      ((labels && getNodeValue(labels)) as unknown[] | undefined)?.filter(
        (x) => typeof x === 'string',
      ) as string[],
    );
    if (labels && passing?.type === 'array')
      for (const p of passing.children ?? [])
        if (typeof p.value === 'string' && !labelSet.has(p.value))
          push(
            c,
            p,
            'error',
            'grader/passing-labels',
            `passing label "${p.value}" is not one of labels (${[...labelSet].join(', ')})`,
          );
  }
  const input = prop(obj, 'input');
  walkStrings(input, (n) => checkTemplatesIn(c, n, 'content'));
}

function walkStrings(node: Node | undefined, fn: (n: Node) => void): void {
  if (!node) return;
  if (node.type === 'string') fn(node);
  else if (node.type === 'property') walkStrings(node.children?.[1], fn);
  else for (const ch of node.children ?? []) walkStrings(ch, fn);
}

function lintFormula(c: Ctx, obj: Node): void {
  const node = prop(obj, 'calculate_output');
  if (!node || node.type !== 'string') return;
  const src = String(node.value);
  const off = stringOffsets(c.text, node);
  const graders = prop(obj, 'graders');
  const keys =
    graders?.type === 'object' ? (graders.children ?? []).map((p) => String(p.children?.[0]?.value)) : [];
  try {
    const ast = parseFormula(src);
    const used = new Set<string>();
    for (const v of formulaVariables(ast)) {
      used.add(v.name);
      if (!keys.includes(v.name)) {
        const fnHint = (FORMULA_FUNCTIONS as readonly string[]).includes(v.name)
          ? ` (${v.name} is a function: call it with parentheses)`
          : '';
        const nameHint = findChildByName(graders, v.name);
        push(
          c,
          node,
          'error',
          'grader/formula-unknown-variable',
          `"${v.name}" is not a grader key${fnHint}${nameHint ? ` — formulas use the keys of "graders" (the key of the grader named "${v.name}" is "${nameHint}")` : ''}; keys: ${keys.join(', ') || '(none)'}`,
          undefined,
          [off(v.start), off(v.end)],
        );
      }
    }
    if (graders?.type === 'object')
      for (const p of graders.children ?? []) {
        const k = p.children?.[0];
        if (k && !used.has(String(k.value)))
          push(
            c,
            k,
            'warning',
            'grader/formula-unused-grader',
            `grader "${String(k.value)}" is not used in calculate_output: it runs (and costs) but does not change the reward`,
          );
      }
  } catch (e) {
    if (!(e instanceof FormulaError)) throw e;
    push(c, node, 'error', 'grader/formula-syntax', `calculate_output: ${e.message}`, undefined, [
      off(e.start),
      off(Math.max(e.end, e.start + 1)),
    ]);
  }
}

function findChildByName(graders: Node | undefined, name: string): string | undefined {
  for (const p of graders?.children ?? []) {
    const v = p.children?.[1];
    if (prop(v, 'name')?.value === name) return String(p.children?.[0]?.value);
  }
  return undefined;
}

function lintOne(c: Ctx, obj: Node, where: 'top' | 'child'): void {
  if (obj.type !== 'object') return;
  const typeNode = prop(obj, 'type');
  const type = typeNode?.value as string | undefined;
  const pt = prop(obj, 'pass_threshold');
  if (pt)
    push(
      c,
      keyNode(obj, 'pass_threshold'),
      'info',
      'grader/pass-threshold',
      'pass_threshold is an Evals field: RFT uses the raw reward, and whether the job ignores this is unconfirmed',
    );
  const asChild = where === 'child' || c.lint.context === 'multi-child';
  if (type === 'label_model' && !asChild)
    push(
      c,
      typeNode,
      'error',
      'grader/type-not-allowed',
      'label_model is only allowed inside a multi grader for RFT: wrap it in {"type": "multi", "graders": {…}, "calculate_output": "…"}',
    );
  if (type === 'multi' && where === 'child')
    push(
      c,
      typeNode,
      'error',
      'grader/type-not-allowed',
      'a multi grader cannot contain another multi grader',
    );
  switch (type) {
    case 'string_check':
    case 'text_similarity': {
      const input = prop(obj, 'input');
      const reference = prop(obj, 'reference');
      const inRefs = checkTemplatesIn(c, input, 'input');
      const refRefs = checkTemplatesIn(c, reference, 'reference');
      if (input?.type === 'string' && reference?.type === 'string' && !inRefs.length && !refRefs.length)
        push(
          c,
          input,
          'warning',
          'grader/constant-check',
          'neither input nor reference has a template: every sample gets the same reward',
        );
      const op = prop(obj, 'operation');
      if (type === 'string_check' && (op?.value === 'like' || op?.value === 'ilike')) {
        const sampleInRef = refRefs.some((r) => r.namespace === 'sample' && !r.error);
        const sampleInInput = inRefs.some((r) => r.namespace === 'sample' && !r.error);
        if (sampleInRef && !sampleInInput)
          push(
            c,
            op,
            'warning',
            'grader/like-direction',
            `${String(op.value)} returns 1 when input contains reference; here the model sample is on the reference side, so this checks that the item field contains the whole answer — swap input and reference if you meant "answer contains the expected text"`,
          );
      }
      if (type === 'text_similarity') {
        const metric = prop(obj, 'evaluation_metric');
        if (metric?.value === 'cosine')
          push(
            c,
            metric,
            'error',
            'grader/cosine-rft',
            'cosine is only available for evals, not for RFT graders (it also needs the network: the provider embeddings endpoint)',
          );
      }
      break;
    }
    case 'python':
      lintPython(c, obj);
      break;
    case 'score_model':
    case 'label_model':
      lintModelGrader(c, obj, type);
      break;
    case 'multi': {
      const graders = prop(obj, 'graders');
      if (graders?.type === 'object')
        for (const p of graders.children ?? []) if (p.children?.[1]) lintOne(c, p.children[1], 'child');
      lintFormula(c, obj);
      break;
    }
    case 'endpoint':
      push(
        c,
        typeNode,
        'info',
        'grader/endpoint-preview',
        'endpoint graders are a private preview: accepted as they are, not run locally',
      );
      break;
  }
}

/** Where a grader wrapped in single quotes has them (document offsets), and whether what they wrap is JSON. */
export interface ShellQuotes {
  open: number;
  close: number;
  /** The text between the quotes parses as JSON: removing the two quotes fixes the file. */
  innerIsJson: boolean;
}

/** A grader file whose whole content is `'…'` (e.g. pasted from `curl -d '{…}'`), else undefined. */
export function findShellQuotes(text: string): ShellQuotes | undefined {
  let open = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (open < text.length && /\s/.test(text[open]!)) open++;
  let close = text.length - 1;
  while (close > open && /\s/.test(text[close]!)) close--;
  if (close <= open || text[open] !== "'" || text[close] !== "'") return undefined;
  const errors: ParseError[] = [];
  const inner = parseTree(text.slice(open + 1, close), errors, {
    disallowComments: true,
    allowTrailingComma: false,
    allowEmptyContent: false,
  });
  return { open, close, innerIsJson: !!inner && !errors.length };
}

export function lintGraderText(text: string, ctx: GraderLintContext = {}): Diagnostic[] {
  const c: Ctx = { text, lines: new LineIndex(text), out: [], lint: ctx };
  const errors: ParseError[] = [];
  let body = text.charCodeAt(0) === 0xfeff ? ` ${text.slice(1)}` : text;
  const quotes = findShellQuotes(text);
  if (quotes) {
    // One clear problem instead of two bare "unexpected character" errors; the JSON inside is still checked.
    const closeAt = c.lines.pos(quotes.close);
    push(
      c,
      undefined,
      'error',
      'grader/shell-quoted',
      `the grader JSON is wrapped in single quotes (a shell-quoting leftover): remove this quote and the one at line ${closeAt.line + 1}, column ${closeAt.character + 1}`,
      { fix: 'unwrap-quotes', open: quotes.open, close: quotes.close, innerIsJson: quotes.innerIsJson },
      [quotes.open, quotes.open + 1],
    );
    c.out[c.out.length - 1]!.related = [
      {
        ...(ctx.path ? { path: ctx.path } : {}),
        range: c.lines.range(quotes.close, quotes.close + 1),
        message: 'closing quote',
      },
    ];
    body = `${body.slice(0, quotes.open)} ${body.slice(quotes.open + 1, quotes.close)} ${body.slice(quotes.close + 1)}`;
  }
  const tooDeep = findExcessiveNesting(body);
  if (tooDeep !== undefined) {
    push(c, undefined, 'error', 'grader/json-too-deep', tooDeepMessage(), undefined, [tooDeep, tooDeep + 1]);
    return c.out;
  }
  const root = parseTree(body, errors, {
    disallowComments: true,
    allowTrailingComma: false,
    allowEmptyContent: false,
  });
  for (const e of errors) {
    const code = printParseErrorCode(e.error);
    push(c, undefined, 'error', 'grader/json-syntax', SYNTAX[code] ?? code, undefined, [
      e.offset,
      e.offset + Math.max(1, e.length),
    ]);
  }
  if (!root) {
    if (!errors.length)
      push(
        c,
        undefined,
        'error',
        'grader/json-syntax',
        'empty file: a grader is one JSON object',
        undefined,
        [0, 0],
      );
    return c.out.sort(compareDiagnostics);
  }
  if (errors.length) return c.out.sort(compareDiagnostics); // structure checks on a broken tree only add noise
  if (root.type !== 'object') {
    push(c, root, 'error', 'grader/schema', 'a grader is a JSON object with a "type"');
    return c.out.sort(compareDiagnostics);
  }
  if (ctx.datasets?.length) c.fieldSets = ctx.datasets;
  else if (ctx.datasetItems)
    c.fields = Array.isArray(ctx.datasetItems) ? datasetFieldsFromItems(ctx.datasetItems) : ctx.datasetItems;
  if (ctx.responseFormat) c.rfSchema = responseFormatSchema(ctx.responseFormat);
  checkDuplicateKeys(c, root);
  const value = getNodeValue(root) as unknown;
  schemaDiagnostics(c, root, value, ctx.context === 'multi-child');
  lintOne(c, root, 'top');
  // One diagnostic per (range, code, message): a template repeated in several strings is reported at each place.
  const seen = new Set<string>();
  c.out = c.out.filter((d) => {
    const k = `${d.range.start.line}:${d.range.start.character}:${d.code}:${d.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  return c.out.sort(compareDiagnostics);
}

/** Every template in a grader document with its document offsets, for editor help (completion, hover). */
export function templatesInDocument(
  text: string,
): Array<{ ref: TemplateRef; start: number; end: number; exprStart: number; exprEnd: number }> {
  if (findExcessiveNesting(text) !== undefined) return []; // lint reports it; the walk would overflow the stack
  const root = parseTree(text, [], { disallowComments: false, allowTrailingComma: true });
  const out: Array<{ ref: TemplateRef; start: number; end: number; exprStart: number; exprEnd: number }> = [];
  walkStrings(root, (n) => {
    const v = String(n.value);
    if (!v.includes('{{')) return;
    const off = stringOffsets(text, n);
    for (const ref of parseTemplate(v))
      out.push({
        ref,
        start: off(ref.start),
        end: off(ref.end),
        exprStart: off(ref.exprStart),
        exprEnd: off(ref.exprEnd),
      });
  });
  return out;
}
