// `*.rftjob.json` job specs: parsing with positioned diagnostics (JSON syntax, the schema in
// schemas/rftjob.schema.json), and resolving workspace paths (datasets, grader file, response-format file)
// relative to the spec.
import * as path from 'node:path';
import type { ErrorObject } from 'ajv';
import type { Node as JsonNode, ParseError } from 'jsonc-parser/lib/esm/main.js';
import { findNodeAtLocation, parseTree, printParseErrorCode } from 'jsonc-parser/lib/esm/main.js';
import type { Diagnostic, Range } from '../diagnostics';
import { findExcessiveNesting, tooDeepMessage } from '../json/depth';
import validateRftJob from '../generated/rftjob.validator';

export interface JobSpec {
  model: string;
  /** Workspace path, relative to the spec file (or absolute). */
  training_file: string;
  validation_file: string;
  /** Inline grader object, or a path to a grader JSON file. */
  grader: unknown | string;
  /** Inline response format ({type:'json_schema',json_schema:{…}}), or a path to a JSON file. */
  response_format?: unknown | string;
  hyperparameters?: Record<string, unknown>;
  suffix?: string;
  seed?: number;
  metadata?: Record<string, string>;
}

export interface ResolvedJobSpec {
  /** Absolute path of the spec file. */
  specPath: string;
  model: string;
  /** Absolute paths. */
  trainingFile: string;
  validationFile: string;
  grader: Record<string, unknown>;
  /** Absolute path of the grader file when the spec named one. */
  graderPath?: string;
  responseFormat?: Record<string, unknown>;
  responseFormatPath?: string;
  hyperparameters: Record<string, unknown>;
  suffix?: string;
  seed?: number;
  metadata: Record<string, string>;
}

/** A spec that cannot be resolved (missing or malformed grader/response-format file). */
export class JobSpecError extends Error {
  constructor(
    message: string,
    readonly field?: keyof JobSpec,
    readonly path?: string,
  ) {
    super(message);
    this.name = 'JobSpecError';
  }
}

/** Base models documented for RFT (OpenAI and Azure). Others get an info diagnostic, not an error. */
export const KNOWN_RFT_MODELS = ['o4-mini-2025-04-16', 'o4-mini', 'gpt-5-2025-08-07', 'gpt-5'];

export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(text: string) {
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      if (ch === 10) this.starts.push(i + 1);
      else if (ch === 13 && text.charCodeAt(i + 1) !== 10) this.starts.push(i + 1);
    }
  }
  position(offset: number) {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: offset - this.starts[lo]! };
  }
  range(offset: number, length: number): Range {
    return { start: this.position(offset), end: this.position(offset + Math.max(0, length)) };
  }
}

export function pointerToPath(pointer: string): Array<string | number> {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

export function describeAjvError(e: ErrorObject): string {
  const where = e.instancePath ? pointerToPath(e.instancePath).join('.') : 'the job spec';
  switch (e.keyword) {
    case 'required':
      return `Missing required field "${(e.params as { missingProperty: string }).missingProperty}"${e.instancePath ? ` in ${where}` : ''}.`;
    case 'additionalProperties': {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      return `Unknown field "${extra}"${e.instancePath ? ` in ${where}` : ''}.`;
    }
    case 'enum':
      return `${where} must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}.`;
    case 'const':
      return `${where} must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}.`;
    case 'maxProperties':
      return `${where} has too many entries: ${e.message ?? ''}.`;
    default:
      return `${where} ${e.message ?? 'is invalid'}.`;
  }
}

/** Keeps one error per location, preferring the most specific (oneOf branches produce noise). */
export function usefulErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  const byPath = new Map<string, ErrorObject[]>();
  for (const e of errors) {
    const key =
      e.keyword === 'additionalProperties'
        ? `${e.instancePath}/${(e.params as { additionalProperty: string }).additionalProperty}`
        : e.instancePath;
    const list = byPath.get(key) ?? [];
    list.push(e);
    byPath.set(key, list);
  }
  const out: ErrorObject[] = [];
  for (const list of byPath.values()) {
    // For a value that matched no oneOf branch, say what it should be instead of listing each branch.
    const oneOf = list.find((e) => e.keyword === 'oneOf');
    const specific = list.filter(
      (e) => e.keyword !== 'oneOf' && e.keyword !== 'type' && e.keyword !== 'const',
    );
    const types = list.filter((e) => e.keyword === 'type');
    if (specific.length) out.push(specific[0]!);
    else if (oneOf && types.length) {
      const expected = [...new Set(types.map((t) => String((t.params as { type: unknown }).type)))];
      const consts = list
        .filter((e) => e.keyword === 'const')
        .map((e) => JSON.stringify((e.params as { allowedValue: unknown }).allowedValue));
      out.push({ ...oneOf, keyword: 'type', message: `must be ${[...consts, ...expected].join(' or ')}` });
    } else out.push(list[0]!);
  }
  // A value that failed a oneOf because of a problem inside it: report the inner problem only.
  return out.filter(
    (e) =>
      e.keyword !== 'type' || !out.some((o) => o !== e && o.instancePath.startsWith(`${e.instancePath}/`)),
  );
}

export function parseJobSpec(text: string): { spec?: JobSpec; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const bomShift = text.length - src.length;
  const index = new LineIndex(text);
  const tooDeep = findExcessiveNesting(src);
  if (tooDeep !== undefined) {
    diagnostics.push({
      range: index.range(tooDeep + bomShift, 1),
      severity: 'error',
      code: 'rftjob/json-syntax',
      message: `${tooDeepMessage()}.`,
    });
    return { diagnostics };
  }
  const errors: ParseError[] = [];
  const root = parseTree(src, errors, { allowTrailingComma: false, disallowComments: true });
  for (const e of errors.slice(0, 20)) {
    diagnostics.push({
      range: index.range(e.offset + bomShift, e.length),
      severity: 'error',
      code: 'rftjob/json-syntax',
      message: `JSON syntax error: ${printParseErrorCode(e.error)}.`,
    });
  }
  if (!root) {
    if (!diagnostics.length)
      diagnostics.push({
        range: index.range(0, 0),
        severity: 'error',
        code: 'rftjob/json-syntax',
        message: 'The job spec is empty.',
      });
    return { diagnostics };
  }
  if (errors.length) return { diagnostics };
  let value: unknown;
  try {
    value = JSON.parse(src);
  } catch (e) {
    diagnostics.push({
      range: index.range(0, 0),
      severity: 'error',
      code: 'rftjob/json-syntax',
      message: `JSON syntax error: ${(e as Error).message}`,
    });
    return { diagnostics };
  }
  const nodeRange = (node: JsonNode | undefined): Range =>
    node ? index.range(node.offset + bomShift, node.length) : index.range(root.offset + bomShift, 1);
  const keyRange = (node: JsonNode | undefined): Range => {
    const keyNode = node?.parent?.type === 'property' ? node.parent.children?.[0] : undefined;
    return nodeRange(keyNode ?? node);
  };
  if (!validateRftJob(value)) {
    for (const e of usefulErrors(validateRftJob.errors ?? [])) {
      const p = pointerToPath(e.instancePath);
      let range: Range;
      if (e.keyword === 'additionalProperties') {
        const prop = findNodeAtLocation(root, [
          ...p,
          (e.params as { additionalProperty: string }).additionalProperty,
        ]);
        range = keyRange(prop);
      } else if (e.keyword === 'required') {
        range = p.length ? keyRange(findNodeAtLocation(root, p)) : index.range(root.offset + bomShift, 1);
      } else {
        range = nodeRange(findNodeAtLocation(root, p));
      }
      diagnostics.push({ range, severity: 'error', code: 'rftjob/schema', message: describeAjvError(e) });
    }
  }
  const obj = value as Record<string, unknown>;
  if (
    obj &&
    typeof obj === 'object' &&
    typeof obj.model === 'string' &&
    obj.model &&
    !KNOWN_RFT_MODELS.includes(obj.model) &&
    !obj.model.startsWith('ft:')
  ) {
    diagnostics.push({
      range: nodeRange(findNodeAtLocation(root, ['model'])),
      severity: 'info',
      code: 'rftjob/unknown-model',
      message: `"${obj.model}" is not a documented RFT base model (OpenAI: o4-mini-2025-04-16; Azure: o4-mini, gpt-5). The provider may refuse it.`,
    });
  }
  for (const key of ['training_file', 'validation_file'] as const) {
    const v = obj?.[key];
    if (typeof v === 'string' && v.trim() && !/\.jsonl$/i.test(v.trim())) {
      diagnostics.push({
        range: nodeRange(findNodeAtLocation(root, [key])),
        severity: 'warning',
        code: 'rftjob/not-jsonl',
        message: `${key} should be a .jsonl file (the fine-tuning API refuses other extensions).`,
      });
    }
  }
  const hasErrors = diagnostics.some((d) => d.severity === 'error');
  return { spec: hasErrors ? undefined : (value as JobSpec), diagnostics };
}

function parseJsonFile(
  text: string,
  what: string,
  file: string,
  field: keyof JobSpec,
): Record<string, unknown> {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let v: unknown;
  try {
    v = JSON.parse(src);
  } catch (e) {
    throw new JobSpecError(
      `The ${what} file ${file} is not valid JSON: ${(e as Error).message}`,
      field,
      file,
    );
  }
  if (!v || typeof v !== 'object' || Array.isArray(v))
    throw new JobSpecError(`The ${what} file ${file} must hold a JSON object.`, field, file);
  return v as Record<string, unknown>;
}

/** Accepts the Chat Completions response_format, its `json_schema` part, or a bare JSON schema. */
export function normaliseResponseFormat(
  v: Record<string, unknown>,
  fallbackName: string,
): Record<string, unknown> {
  if (v.type === 'json_schema' && v.json_schema && typeof v.json_schema === 'object') return v;
  if (typeof v.name === 'string' && v.schema && typeof v.schema === 'object')
    return { type: 'json_schema', json_schema: v };
  const name = fallbackName.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64) || 'response';
  return { type: 'json_schema', json_schema: { name, strict: true, schema: v } };
}

export async function resolveJobSpec(
  spec: JobSpec,
  specPath: string,
  readFile: (p: string) => Promise<string>,
): Promise<ResolvedJobSpec> {
  const specAbs = path.resolve(specPath);
  const dir = path.dirname(specAbs);
  const abs = (p: string) => path.resolve(dir, p.trim());
  const read = async (p: string, what: string, field: keyof JobSpec) => {
    try {
      return await readFile(p);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new JobSpecError(
        code === 'ENOENT' || code === 'FileNotFound'
          ? `The ${what} file ${p} does not exist.`
          : `Cannot read the ${what} file ${p}: ${(e as Error).message}`,
        field,
        p,
      );
    }
  };
  if (typeof spec.model !== 'string' || !spec.model.trim())
    throw new JobSpecError('The job spec names no model.', 'model');
  for (const k of ['training_file', 'validation_file'] as const) {
    if (typeof spec[k] !== 'string' || !spec[k].trim())
      throw new JobSpecError(`The job spec names no ${k}.`, k);
  }
  let grader: Record<string, unknown>;
  let graderPath: string | undefined;
  if (typeof spec.grader === 'string') {
    graderPath = abs(spec.grader);
    grader = parseJsonFile(await read(graderPath, 'grader', 'grader'), 'grader', graderPath, 'grader');
  } else if (spec.grader && typeof spec.grader === 'object' && !Array.isArray(spec.grader)) {
    grader = spec.grader as Record<string, unknown>;
  } else throw new JobSpecError('The grader must be an object or a path to a grader JSON file.', 'grader');
  let responseFormat: Record<string, unknown> | undefined;
  let responseFormatPath: string | undefined;
  if (typeof spec.response_format === 'string') {
    responseFormatPath = abs(spec.response_format);
    const raw = parseJsonFile(
      await read(responseFormatPath, 'response format', 'response_format'),
      'response format',
      responseFormatPath,
      'response_format',
    );
    responseFormat = normaliseResponseFormat(raw, path.basename(responseFormatPath).replace(/\..*$/, ''));
  } else if (
    spec.response_format &&
    typeof spec.response_format === 'object' &&
    !Array.isArray(spec.response_format)
  ) {
    responseFormat = normaliseResponseFormat(spec.response_format as Record<string, unknown>, 'response');
  } else if (spec.response_format !== undefined && spec.response_format !== null) {
    throw new JobSpecError('response_format must be an object or a path to a JSON file.', 'response_format');
  }
  return {
    specPath: specAbs,
    model: spec.model.trim(),
    trainingFile: abs(spec.training_file),
    validationFile: abs(spec.validation_file),
    grader,
    graderPath,
    responseFormat,
    responseFormatPath,
    hyperparameters: { ...(spec.hyperparameters ?? {}) },
    suffix: spec.suffix,
    seed: spec.seed,
    metadata: { ...(spec.metadata ?? {}) },
  };
}
