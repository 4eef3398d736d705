// Reads a `*.gradertest.jsonl` file (issue #14): one grader unit test per line, checked against
// schemas/gradertest.schema.json line by line, with diagnostics on the exact characters at fault.
import type { ErrorObject } from 'ajv';
import { range, type Diagnostic, type Range } from '../diagnostics';
import {
  LineTree,
  locateSyntaxError,
  pathToDisplay,
  pointerToPath,
  type Span,
} from '../datasets/jsonPositions';
import validateCase from '../generated/gradertest.validator';
import type { SampleInput } from '../graders/sample';
import type { ErrorFlagName } from '../graders/types';

/** A file is a grader test file when its name ends with this. */
export const GRADER_TEST_SUFFIX = '.gradertest.jsonl';

/** Absolute tolerance of an exact expected reward when the case gives none: rewards are floats computed in
 * different orders (formulas, averages), so bit-equality would fail on the last ulp. */
export const DEFAULT_REWARD_TOLERANCE = 1e-6;

export interface GraderTestExpect {
  reward?: number;
  min?: number;
  max?: number;
  tolerance?: number;
  /** The flags the grader must raise, and no others; undefined: any raised flag fails the case. */
  errors?: ErrorFlagName[];
}

export interface GraderTestCase {
  name: string;
  /** 0-based line in the file. */
  line: number;
  /** The line's text without its leading and trailing blanks. */
  range: Range;
  /** As written: relative to the test file. */
  grader: string;
  item: Record<string, unknown>;
  sample: SampleInput;
  response_format?: string;
  expect: GraderTestExpect;
}

export interface GraderTestFile {
  cases: GraderTestCase[];
  /** Lines that are not a valid case (they do not run; reporters show them as errors). */
  diagnostics: Diagnostic[];
}

/** Rule codes of grader test files; docs/rules.md lists them (src/core/rulesDoc.ts). */
export const GRADER_TEST_RULES: ReadonlyArray<{ code: string; description: string }> = [
  {
    code: 'gradertest/invalid-json',
    description: 'The line is not valid JSON (each case is one JSON object on one line).',
  },
  { code: 'gradertest/not-object', description: 'The line is valid JSON but not an object.' },
  {
    code: 'gradertest/schema',
    description:
      'The case does not match the grader test shape: `name`, `grader` (a path relative to the file), `sample` (`output_text`, `output_json`, …) and `expect` are required, with an optional `item` object.',
  },
  {
    code: 'gradertest/expect',
    description:
      '`expect` is contradictory: an exact `reward` together with `min`/`max`, `min` above `max`, or a `tolerance` without an exact `reward`.',
  },
  {
    code: 'gradertest/duplicate-name',
    description: 'Two cases in one file share a name, so reports cannot tell them apart.',
  },
  {
    code: 'gradertest/failed',
    description:
      'A case ran and the reward (or the raised error flags) differs from `expect` (SARIF output of `rft-studio test`).',
  },
  {
    code: 'gradertest/errored',
    description:
      'A case could not run: its grader is missing or invalid, python is not allowed, or no model is configured for a model grader.',
  },
];

interface LineProblems {
  diagnostics: Diagnostic[];
  line: number;
  tree: LineTree;
}

function add(p: LineProblems, code: string, span: Span, message: string): void {
  p.diagnostics.push({
    range: range(p.line, span.start, p.line, span.end),
    severity: 'error',
    code,
    message,
  });
}

function schemaMessage(e: ErrorObject, where: string): string {
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return `${where === 'the example' ? 'The case' : where} is missing the required property "${String(params.missingProperty)}".`;
    case 'type':
      return `${where} must be ${String(params.type)}.`;
    case 'enum':
      return `${where} must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}.`;
    case 'additionalProperties':
      return `${where === 'the example' ? 'The case' : where} has an unknown property "${String(params.additionalProperty)}".`;
    case 'minLength':
      return `${where} must not be empty.`;
    case 'minimum':
      return `${where} must be at least ${String(params.limit)}.`;
    case 'uniqueItems':
      return `${where} lists a flag twice.`;
    default:
      return `${where} ${e.message ?? 'is not valid'}.`;
  }
}

function schemaDiagnostics(errors: readonly ErrorObject[], p: LineProblems): void {
  const seen = new Set<string>();
  for (const e of errors) {
    const path = pointerToPath(e.instancePath);
    // anyOf reports every branch's missing property; one message for the whole choice says it better.
    if (e.schemaPath.includes('/anyOf/')) continue;
    let message: string;
    let span: Span;
    if (e.keyword === 'anyOf') {
      const last = path[path.length - 1];
      message =
        last === 'sample'
          ? 'sample needs "output_text", "output_json", "output_tools" or "choices".'
          : 'expect needs an exact "reward", or a range with "min" and/or "max".';
      span = p.tree.valueSpan(path);
    } else if (e.keyword === 'additionalProperties') {
      const extra = String((e.params as { additionalProperty: string }).additionalProperty);
      message = schemaMessage(e, pathToDisplay(path));
      span = p.tree.keySpan([...path, extra]);
    } else {
      message = schemaMessage(e, pathToDisplay(path));
      span = e.keyword === 'required' && !path.length ? p.tree.lineSpan() : p.tree.valueSpan(path);
    }
    if (seen.has(message)) continue;
    seen.add(message);
    add(p, 'gradertest/schema', span, message);
  }
}

function expectProblems(expect: GraderTestExpect, p: LineProblems): boolean {
  let message: string;
  if (expect.reward !== undefined && (expect.min !== undefined || expect.max !== undefined))
    message = 'expect holds an exact "reward" and a range: give one or the other.';
  else if (expect.min !== undefined && expect.max !== undefined && expect.min > expect.max)
    message = `expect.min ${expect.min} is above expect.max ${expect.max}.`;
  else if (expect.tolerance !== undefined && expect.reward === undefined)
    message = 'expect.tolerance applies to an exact "reward" only.';
  else return false;
  // Only a line with a problem pays for its parse tree.
  add(p, 'gradertest/expect', p.tree.valueSpan(['expect']), message);
  return true;
}

/** Parses a grader test file's text: the cases that are valid, and a diagnostic for every line that is not. */
export function parseGraderTests(text: string): GraderTestFile {
  const cases: GraderTestCase[] = [];
  const diagnostics: Diagnostic[] = [];
  const names = new Map<string, number>();
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  for (let line = 0; line < lines.length; line++) {
    const raw = lines[line]!;
    const textOfLine = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (!textOfLine.trim()) continue;
    const tree = new LineTree(textOfLine);
    const p: LineProblems = { diagnostics, line, tree };
    let value: unknown;
    try {
      value = JSON.parse(textOfLine);
    } catch (e) {
      const where = locateSyntaxError(textOfLine, (e as Error).message);
      add(p, 'gradertest/invalid-json', where.span, `Not valid JSON: ${where.message}.`);
      continue;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      add(
        p,
        'gradertest/not-object',
        tree.lineSpan(),
        'Each line must be one grader test case: a JSON object.',
      );
      continue;
    }
    if (!validateCase(value)) {
      schemaDiagnostics(validateCase.errors ?? [], p);
      continue;
    }
    const c = value as Omit<GraderTestCase, 'line' | 'range'>;
    if (expectProblems(c.expect, p)) continue;
    const span = tree.lineSpan();
    const first = names.get(c.name);
    if (first !== undefined)
      diagnostics.push({
        range: range(line, tree.valueSpan(['name']).start, line, tree.valueSpan(['name']).end),
        severity: 'warning',
        code: 'gradertest/duplicate-name',
        message: `Another case on line ${first + 1} is also named ${JSON.stringify(c.name)}.`,
      });
    else names.set(c.name, line);
    cases.push({
      name: c.name,
      line,
      range: range(line, span.start, line, span.end),
      grader: c.grader,
      item: c.item ?? {},
      sample: c.sample,
      ...(c.response_format !== undefined ? { response_format: c.response_format } : {}),
      expect: c.expect,
    });
  }
  return { cases, diagnostics };
}

/** "reward 1 (±1e-6)", "reward in [0.5, 1]", "reward ≥ 0.5", plus the expected flags when given. */
export function describeExpect(expect: GraderTestExpect): string {
  let s: string;
  if (expect.reward !== undefined)
    s = `reward ${expect.reward}${expect.tolerance !== undefined ? ` (±${expect.tolerance})` : ''}`;
  else if (expect.min !== undefined && expect.max !== undefined)
    s = `reward in [${expect.min}, ${expect.max}]`;
  else if (expect.min !== undefined) s = `reward ≥ ${expect.min}`;
  else s = `reward ≤ ${expect.max}`;
  if (expect.errors) s += expect.errors.length ? `, errors ${expect.errors.join(', ')}` : ', no errors';
  return s;
}
