// `*.rfteval.json` eval specs: parsing with positioned diagnostics (JSON syntax, schemas/rfteval.schema.json,
// duplicate labels, gates naming unknown candidates), and resolving them (dataset items, graders, response format,
// defaults, hashes) into the ResolvedEvalSpec the runner, the estimate and the run folder use.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import type { Node as JsonNode, ParseError } from 'jsonc-parser/lib/esm/main.js';
import { findNodeAtLocation, parseTree, printParseErrorCode } from 'jsonc-parser/lib/esm/main.js';
import type { Diagnostic, Range } from '../diagnostics';
import validateRftEval from '../generated/rfteval.validator';
import validateGrader from '../generated/grader.validator';
import { readDataItems } from '../graders/gradeInputs';
import type { Grader } from '../graders/types';
import { canonicalJson } from '../json/canonicalJson';
import { findExcessiveNesting, tooDeepMessage } from '../json/depth';
import {
  LineIndex,
  describeAjvError,
  normaliseResponseFormat,
  pointerToPath,
  usefulErrors,
} from '../jobs/jobSpec';
import type { EvalCandidateSpec, EvalGate, EvalRunManifest, EvalSpecFile } from './types';

export const DEFAULT_SAMPLES_PER_ITEM = 1;
export const DEFAULT_PASS_THRESHOLD = 0.5;
export const DEFAULT_MAX_CONCURRENCY = 16;

export interface EvalItem {
  /** 0-based index in the run's item list (after limit and sample). */
  index: number;
  /** 0-based line in the dataset file. */
  line: number;
  /** The item's `id` field, else `line N` (1-based, as editors show it). */
  key: string;
  item: Record<string, unknown>;
}

export interface ResolvedGrader {
  /** File stem (`countdown` for countdown.grader.json) or the inline grader's `name`. */
  name: string;
  grader: Grader;
  /** Absolute path when the spec named a file. */
  path?: string;
}

export interface ResolvedEvalSpec {
  /** Absolute path of the spec file. */
  specPath: string;
  name: string;
  description?: string;
  datasetPath: string;
  /** Dataset items before limit and sample. */
  datasetItems: number;
  items: EvalItem[];
  graders: ResolvedGrader[];
  /** Chat Completions form: `{type: 'json_schema', json_schema: {name, schema, strict}}`. */
  responseFormat?: Record<string, unknown>;
  samplesPerItem: number;
  candidates: EvalCandidateSpec[];
  maxConcurrency: number;
  maxSpendUsd?: number;
  passThreshold: number;
  labelField?: string;
  gates: EvalGate[];
  mode: 'online' | 'batch';
  hashes: EvalRunManifest['hashes'];
  /** spec.json of a run: paths absolute, graders and response format inlined, defaults filled. */
  resolved: EvalSpecFile;
}

/** A spec that cannot be resolved; `pointer` is the JSON pointer of the field at fault. */
export class EvalSpecError extends Error {
  constructor(
    message: string,
    readonly pointer?: string,
    readonly diagnostics: Diagnostic[] = [],
  ) {
    super(message);
    this.name = 'EvalSpecError';
  }
}

function diag(range: Range, code: string, message: string): Diagnostic {
  return { range, severity: 'error', code: `rfteval/${code}`, message };
}

/** JSON syntax, the schema, and the cross-field rules; `spec` is set when there is no error. */
export function parseEvalSpec(text: string): { spec?: EvalSpecFile; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const shift = text.length - src.length;
  const index = new LineIndex(text);
  const tooDeep = findExcessiveNesting(src);
  if (tooDeep !== undefined)
    return { diagnostics: [diag(index.range(tooDeep + shift, 1), 'json-syntax', `${tooDeepMessage()}.`)] };
  const errors: ParseError[] = [];
  const root = parseTree(src, errors, { allowTrailingComma: false, disallowComments: true });
  for (const e of errors.slice(0, 20))
    diagnostics.push(
      diag(
        index.range(e.offset + shift, e.length),
        'json-syntax',
        `JSON syntax error: ${printParseErrorCode(e.error)}.`,
      ),
    );
  if (!root || errors.length) {
    if (!diagnostics.length)
      diagnostics.push(diag(index.range(0, 0), 'json-syntax', 'The eval spec is empty.'));
    return { diagnostics };
  }
  const value = JSON.parse(src) as unknown;
  const nodeRange = (node: JsonNode | undefined): Range =>
    node ? index.range(node.offset + shift, node.length) : index.range(root.offset + shift, 1);
  const at = (p: Array<string | number>) => nodeRange(findNodeAtLocation(root, p));
  if (!validateRftEval(value)) {
    for (const e of usefulErrors(validateRftEval.errors ?? [])) {
      const p = pointerToPath(e.instancePath);
      const extra =
        e.keyword === 'additionalProperties'
          ? [(e.params as { additionalProperty: string }).additionalProperty]
          : [];
      const node = findNodeAtLocation(root, [...p, ...extra]);
      const keyNode = node?.parent?.type === 'property' ? node.parent.children?.[0] : undefined;
      const range = extra.length || e.keyword === 'required' ? nodeRange(keyNode ?? node) : nodeRange(node);
      diagnostics.push(diag(range, 'schema', describeAjvError(e).replace('the job spec', 'the eval spec')));
    }
    return { diagnostics };
  }
  const spec = value as EvalSpecFile;
  const seen = new Map<string, number>();
  spec.candidates.forEach((c, i) => {
    const first = seen.get(c.label);
    if (first !== undefined)
      diagnostics.push(
        diag(
          at(['candidates', i, 'label']),
          'duplicate-label',
          `Candidate label "${c.label}" is used twice (candidates ${first + 1} and ${i + 1}); labels must be unique.`,
        ),
      );
    else seen.set(c.label, i);
  });
  (spec.gates ?? []).forEach((g, i) => {
    const named =
      'compare' in g && g.compare ? g.compare : 'candidate' in g && g.candidate ? [g.candidate] : [];
    for (const label of named)
      if (!seen.has(label))
        diagnostics.push(
          diag(
            at(['gates', i]),
            'unknown-candidate',
            `Gate ${i + 1} names candidate "${label}", which the spec does not have (${[...seen.keys()].join(', ')}).`,
          ),
        );
  });
  return { spec: diagnostics.length ? undefined : spec, diagnostics };
}

async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A small seeded generator (mulberry32): the same seed picks the same sample on every machine. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function stemOf(file: string): string {
  return path.basename(file).replace(/(\.grader)?\.json$/i, '');
}

async function readJsonObject(file: string, what: string, pointer: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new EvalSpecError(
      code === 'ENOENT'
        ? `The ${what} file ${file} does not exist.`
        : `Cannot read the ${what} file ${file}: ${(e as Error).message}`,
      pointer,
    );
  }
  let v: unknown;
  try {
    v = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    throw new EvalSpecError(`The ${what} file ${file} is not valid JSON: ${(e as Error).message}`, pointer);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v))
    throw new EvalSpecError(`The ${what} file ${file} must hold a JSON object.`, pointer);
  return v as Record<string, unknown>;
}

function checkGrader(grader: Record<string, unknown>, where: string, pointer: string): Grader {
  if (!validateGrader(grader)) {
    const first = (validateGrader.errors ?? [])
      .slice(0, 3)
      .map((e) => `${e.instancePath || '/'} ${e.message}`);
    throw new EvalSpecError(`${where} is not a valid grader: ${first.join('; ')}.`, pointer);
  }
  return grader as unknown as Grader;
}

/** Reads the dataset and graders and fills the defaults; throws EvalSpecError with a clear message. */
export async function resolveEvalSpec(
  spec: EvalSpecFile,
  specPath: string,
  signal?: AbortSignal,
): Promise<ResolvedEvalSpec> {
  const specAbs = path.resolve(specPath);
  const dir = path.dirname(specAbs);
  const abs = (p: string) => path.resolve(dir, p.trim());

  const datasetPath = abs(spec.dataset);
  let read: Awaited<ReturnType<typeof readDataItems>>;
  try {
    await stat(datasetPath);
    read = await readDataItems(datasetPath, signal);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new EvalSpecError(
      code === 'ENOENT'
        ? `The dataset ${datasetPath} does not exist.`
        : `Cannot read the dataset ${datasetPath}: ${(e as Error).message}`,
      '/dataset',
    );
  }
  if (read.problems.length) {
    const shown = read.problems.slice(0, 3).map((p) => `line ${p.line}: ${p.message}`);
    throw new EvalSpecError(
      `The dataset ${datasetPath} has ${read.problems.length} unreadable line(s): ${shown.join('; ')}.`,
      '/dataset',
    );
  }
  const noMessages = read.items.find((x) => !Array.isArray(x.item.messages) || x.item.messages.length === 0);
  if (noMessages)
    throw new EvalSpecError(
      `The dataset ${datasetPath}, line ${noMessages.line}: an RFT item needs a non-empty "messages" list.`,
      '/dataset',
    );
  if (!read.items.length) throw new EvalSpecError(`The dataset ${datasetPath} holds no items.`, '/dataset');
  let chosen = read.items.slice(0, spec.limit ?? read.items.length);
  if (spec.sample && spec.sample.size < chosen.length) {
    // A partial Fisher-Yates over the indices, then back to file order so results read like the dataset.
    const rnd = seeded(spec.sample.seed ?? 0);
    const idx = chosen.map((_, i) => i);
    for (let i = 0; i < spec.sample.size; i++) {
      const j = i + Math.floor(rnd() * (idx.length - i));
      [idx[i], idx[j]] = [idx[j]!, idx[i]!];
    }
    const keep = idx.slice(0, spec.sample.size).sort((a, b) => a - b);
    chosen = keep.map((i) => chosen[i]!);
  }
  const items: EvalItem[] = chosen.map((x, index) => ({
    index,
    line: x.line - 1,
    key:
      typeof x.item.id === 'string' || typeof x.item.id === 'number' ? String(x.item.id) : `line ${x.line}`,
    item: x.item,
  }));

  const graders: ResolvedGrader[] = [];
  for (const [i, g] of spec.graders.entries()) {
    const pointer = `/graders/${i}`;
    if (typeof g === 'string') {
      const file = abs(g);
      const grader = checkGrader(
        await readJsonObject(file, 'grader', pointer),
        `The grader file ${file}`,
        pointer,
      );
      graders.push({ name: stemOf(file), grader, path: file });
    } else {
      const grader = checkGrader(g as unknown as Record<string, unknown>, `Grader ${i + 1}`, pointer);
      graders.push({ name: grader.name || `grader_${i + 1}`, grader });
    }
  }
  const names = new Set<string>();
  for (const [i, g] of graders.entries()) {
    if (names.has(g.name))
      throw new EvalSpecError(
        `Two graders are named "${g.name}"; give the inline one a different "name" or rename the file.`,
        `/graders/${i}`,
      );
    names.add(g.name);
  }

  let responseFormat: Record<string, unknown> | undefined;
  if (typeof spec.response_format === 'string') {
    const file = abs(spec.response_format);
    const raw = await readJsonObject(file, 'response format', '/response_format');
    responseFormat = normaliseResponseFormat(raw, path.basename(file).replace(/\..*$/, ''));
  } else if (spec.response_format) responseFormat = normaliseResponseFormat(spec.response_format, 'response');

  const hashes: EvalRunManifest['hashes'] = {
    dataset: await sha256File(datasetPath),
    graders: Object.fromEntries(graders.map((g) => [g.name, sha256(canonicalJson(g.grader))])),
    ...(responseFormat ? { response_format: sha256(canonicalJson(responseFormat)) } : {}),
  };
  const samplesPerItem = spec.samples_per_item ?? DEFAULT_SAMPLES_PER_ITEM;
  const maxConcurrency = spec.limits?.max_concurrency ?? DEFAULT_MAX_CONCURRENCY;
  const passThreshold = spec.pass_threshold ?? DEFAULT_PASS_THRESHOLD;
  const mode = spec.mode ?? 'online';
  const resolved: EvalSpecFile = {
    ...spec,
    dataset: datasetPath,
    graders: graders.map((g) => ({ ...g.grader, name: g.name }) as Grader),
    ...(responseFormat ? { response_format: responseFormat } : {}),
    samples_per_item: samplesPerItem,
    limits: { ...spec.limits, max_concurrency: maxConcurrency },
    pass_threshold: passThreshold,
    mode,
  };
  return {
    specPath: specAbs,
    name: spec.name.trim(),
    description: spec.description,
    datasetPath,
    datasetItems: read.items.length,
    items,
    graders,
    responseFormat,
    samplesPerItem,
    candidates: spec.candidates,
    maxConcurrency,
    maxSpendUsd: spec.limits?.max_spend_usd,
    passThreshold,
    labelField: spec.label_field,
    gates: spec.gates ?? [],
    mode,
    hashes,
    resolved,
  };
}

/** `file:line:col: message` for people (1-based). */
export function formatSpecDiagnostic(file: string, d: Diagnostic): string {
  return `${file}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.message}`;
}

/** Reads, checks and resolves a spec file; every problem becomes one EvalSpecError. */
export async function loadEvalSpec(specPath: string, signal?: AbortSignal): Promise<ResolvedEvalSpec> {
  let text: string;
  try {
    text = await readFile(specPath, 'utf8');
  } catch (e) {
    throw new EvalSpecError(
      (e as NodeJS.ErrnoException).code === 'ENOENT'
        ? `The eval spec ${specPath} does not exist.`
        : `Cannot read the eval spec ${specPath}: ${(e as Error).message}`,
    );
  }
  const { spec, diagnostics } = parseEvalSpec(text);
  if (!spec)
    throw new EvalSpecError(
      diagnostics.map((d) => formatSpecDiagnostic(specPath, d)).join('\n'),
      undefined,
      diagnostics,
    );
  try {
    return await resolveEvalSpec(spec, specPath, signal);
  } catch (e) {
    if (!(e instanceof EvalSpecError) || !e.pointer) throw e;
    // Point at the field in the spec file, so the CLI and the editor show where to fix it.
    const root = parseTree(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    const node = root ? findNodeAtLocation(root, pointerToPath(e.pointer)) : undefined;
    const index = new LineIndex(text);
    const range = node ? index.range(node.offset, node.length) : index.range(0, 0);
    const d = diag(range, 'resolve', e.message);
    throw new EvalSpecError(formatSpecDiagnostic(specPath, d), e.pointer, [d]);
  }
}
