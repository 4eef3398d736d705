// Code-to-name mapping files: JSON (an object {"code": "name"} or an array of {"code", "name"} objects) or CSV
// (two columns, code then name, with an optional header row such as `code,name`). Codes match exactly.
import { parseTree, printParseErrorCode, type ParseError } from 'jsonc-parser/lib/esm/main.js';
import { findExcessiveNesting, tooDeepMessage } from '../json/depth';
import { parseCsv, CsvError } from './csv';

export interface CodeMapping {
  /** code -> name. */
  names: Map<string, string>;
  /** Every name in the mapping (to recognise values that are already names). */
  nameSet: Set<string>;
  /** Where the mapping came from, for messages. */
  source: string;
}

export class MappingError extends Error {}

const HEADER_CODE = /^(code|codes|id|key|label_id|from)$/i;
const HEADER_NAME = /^(name|names|label|descriptor|title|to|value)$/i;

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function add(m: Map<string, string>, code: string, name: string, where: string, source: string): void {
  if (code === '') throw new MappingError(`${source}: ${where}: the code is empty`);
  const prev = m.get(code);
  if (prev !== undefined && prev !== name) {
    throw new MappingError(
      `${source}: ${where}: code '${code}' is mapped twice, to '${prev}' and to '${name}'`,
    );
  }
  m.set(code, name);
}

/** Parses a JSON mapping. */
export function parseJsonMapping(text: string, source = 'mapping'): CodeMapping {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    const tooDeep = findExcessiveNesting(body);
    if (tooDeep !== undefined)
      throw new MappingError(`${source}: line ${lineOf(body, tooDeep)}: ${tooDeepMessage()}`);
    const errors: ParseError[] = [];
    parseTree(body, errors, { allowTrailingComma: false, disallowComments: true });
    const e = errors[0];
    throw new MappingError(
      e
        ? `${source}: line ${lineOf(body, e.offset)}: invalid JSON (${printParseErrorCode(e.error)})`
        : `${source}: invalid JSON`,
    );
  }
  const names = new Map<string, string>();
  if (Array.isArray(value)) {
    value.forEach((entry, i) => {
      const ok =
        entry &&
        typeof entry === 'object' &&
        (typeof entry.code === 'string' || typeof entry.code === 'number') &&
        typeof entry.name === 'string';
      if (!ok) throw new MappingError(`${source}: entry ${i}: expected {"code": "...", "name": "..."}`);
      add(names, String(entry.code), entry.name, `entry ${i}`, source);
    });
  } else if (value && typeof value === 'object') {
    for (const [code, name] of Object.entries(value as Record<string, unknown>)) {
      if (typeof name !== 'string') {
        throw new MappingError(
          `${source}: the value of '${code}' is ${describe(name)}, expected a name (a string)`,
        );
      }
      add(names, code, name, `key '${code}'`, source);
    }
  } else {
    throw new MappingError(
      `${source}: expected an object {"code": "name", ...} or an array of {"code", "name"}`,
    );
  }
  return finish(names, source);
}

/** Parses a CSV mapping: code, name per record; a first record like `code,name` is a header. */
export function parseCsvMapping(text: string, source = 'mapping'): CodeMapping {
  let records;
  try {
    records = parseCsv(text);
  } catch (e) {
    if (e instanceof CsvError) throw new MappingError(`${source}: ${e.message}`);
    throw e;
  }
  const names = new Map<string, string>();
  records.forEach((r, i) => {
    if (
      i === 0 &&
      r.fields.length >= 2 &&
      HEADER_CODE.test(r.fields[0].trim()) &&
      HEADER_NAME.test(r.fields[1].trim())
    ) {
      return;
    }
    if (r.fields.length !== 2) {
      throw new MappingError(
        `${source}: line ${r.line}: expected 2 fields (code,name), found ${r.fields.length}` +
          (r.fields.length > 2 ? ' — quote a name that contains a comma: "a, b"' : ''),
      );
    }
    add(names, r.fields[0], r.fields[1], `line ${r.line}`, source);
  });
  return finish(names, source);
}

function finish(names: Map<string, string>, source: string): CodeMapping {
  if (names.size === 0) throw new MappingError(`${source}: the mapping is empty`);
  return { names, nameSet: new Set(names.values()), source };
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}

/** Chooses the parser by file extension (.csv, otherwise JSON), falling back on the content's first character. */
export function parseMapping(text: string, fileName: string): CodeMapping {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.csv')) return parseCsvMapping(text, fileName);
  if (lower.endsWith('.json')) return parseJsonMapping(text, fileName);
  const first = text.replace(/^\uFEFF/, '').trimStart()[0];
  return first === '{' || first === '[' ? parseJsonMapping(text, fileName) : parseCsvMapping(text, fileName);
}
