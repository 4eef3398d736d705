// JSON paths that name one field of a dataset line: dotted keys with [n] indices, e.g. `reference_answer`,
// `item.labels`, `meta.codes[0]`. `[-1]` is the last element; `["a key.with dots"]` quotes any key.
// Lookups follow JSON.parse semantics (a repeated key means its last occurrence).
import type { Node as JsonNode } from 'jsonc-parser/lib/esm/main.js';

export type PathSegment = string | number;

export class JsonPathError extends Error {}

/**
 * Parses a path. Grammar: `segment ( '.' key | '[' integer ']' | '[' json-string ']' )*`, where a key is one or
 * more characters other than `.`, `[`, `]`, and the first segment is a key or a bracket.
 */
export function parseJsonPath(path: string): PathSegment[] {
  const src = path.trim();
  if (!src) throw new JsonPathError('the field path is empty');
  const out: PathSegment[] = [];
  let i = 0;
  const fail = (msg: string): never => {
    throw new JsonPathError(`invalid field path '${path}' at character ${i + 1}: ${msg}`);
  };
  const readKey = () => {
    const start = i;
    while (i < src.length && src[i] !== '.' && src[i] !== '[' && src[i] !== ']') i++;
    if (i === start) fail('expected a key');
    out.push(src.slice(start, i));
  };
  const readBracket = () => {
    i++; // [
    if (src[i] === '"') {
      // A JSON string literal: find its closing quote, honouring backslash escapes.
      let j = i + 1;
      while (j < src.length && src[j] !== '"') j += src[j] === '\\' ? 2 : 1;
      if (j >= src.length) fail('unterminated quoted key');
      let key: unknown;
      try {
        key = JSON.parse(src.slice(i, j + 1));
      } catch {
        fail('malformed quoted key');
      }
      out.push(key as string);
      i = j + 1;
    } else {
      const m = /^-?\d+/.exec(src.slice(i));
      if (!m) fail('expected an index like [0] or a quoted key like ["name"]');
      out.push(Number(m![0]));
      i += m![0].length;
    }
    if (src[i] !== ']') fail("expected ']'");
    i++;
  };
  if (src[0] === '[') readBracket();
  else readKey();
  while (i < src.length) {
    if (src[i] === '.') {
      i++;
      readKey();
    } else if (src[i] === '[') readBracket();
    else fail(`unexpected '${src[i]}'`);
  }
  return out;
}

/** Renders segments back to the canonical path text. */
export function formatJsonPath(segments: readonly PathSegment[]): string {
  let s = '';
  for (const seg of segments) {
    if (typeof seg === 'number') s += `[${seg}]`;
    else if (/^[^.[\]\s"]+$/.test(seg)) s += s ? `.${seg}` : seg;
    else s += `[${JSON.stringify(seg)}]`;
  }
  return s;
}

/** The value at a path in a parsed JSON value, or undefined when any step is missing. */
export function getAtPath(value: unknown, segments: readonly PathSegment[]): unknown {
  let cur = value;
  for (const seg of segments) {
    if (typeof seg === 'number') {
      if (!Array.isArray(cur)) return undefined;
      const idx = seg < 0 ? cur.length + seg : seg;
      if (idx < 0 || idx >= cur.length) return undefined;
      cur = cur[idx];
    } else {
      if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
      if (!Object.prototype.hasOwnProperty.call(cur, seg)) return undefined;
      cur = (cur as Record<string, unknown>)[seg];
    }
  }
  return cur;
}

/** The syntax-tree node at a path (jsonc-parser tree), choosing the last of repeated keys like JSON.parse. */
export function findNodeAtPath(
  root: JsonNode | undefined,
  segments: readonly PathSegment[],
): JsonNode | undefined {
  let cur = root;
  for (const seg of segments) {
    if (!cur) return undefined;
    if (typeof seg === 'number') {
      if (cur.type !== 'array' || !cur.children) return undefined;
      const idx = seg < 0 ? cur.children.length + seg : seg;
      cur = cur.children[idx];
    } else {
      if (cur.type !== 'object' || !cur.children) return undefined;
      let found: JsonNode | undefined;
      for (const prop of cur.children) {
        const [k, v] = prop.children ?? [];
        if (k && k.value === seg) found = v;
      }
      cur = found;
    }
  }
  return cur;
}
