// JSON paths that name one field of a dataset line: dotted keys with [n] indices, e.g. `reference_answer`,
// `item.labels`, `meta.codes[0]`. `[-1]` is the last element; `["a key.with dots"]` quotes any key.
// Lookups follow JSON.parse semantics (a repeated key means its last occurrence).

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

/** Where a value sits in a line's text: [start, end) in UTF-16 units; arrays also give their elements. */
export interface ValueSpan {
  start: number;
  end: number;
  elements?: { start: number; end: number }[];
}

const WS = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;

function skipWs(t: string, i: number): number {
  while (i < t.length && WS(t.charCodeAt(i))) i++;
  return i;
}

function skipString(t: string, i: number): number {
  for (i++; i < t.length;) {
    const c = t.charCodeAt(i);
    if (c === 34) return i + 1;
    i += c === 92 ? 2 : 1;
  }
  return i;
}

function skipValue(t: string, i: number): number {
  const c = t.charCodeAt(i);
  if (c === 34) return skipString(t, i);
  if (c === 123 || c === 91) {
    let depth = 0;
    while (i < t.length) {
      const ch = t.charCodeAt(i);
      if (ch === 34) {
        i = skipString(t, i);
        continue;
      }
      if (ch === 123 || ch === 91) depth++;
      else if ((ch === 125 || ch === 93) && --depth === 0) return i + 1;
      i++;
    }
    return i;
  }
  while (i < t.length) {
    const ch = t.charCodeAt(i);
    if (ch === 44 || ch === 125 || ch === 93 || WS(ch)) break;
    i++;
  }
  return i;
}

/** The elements of the array starting at i. */
function arrayElements(t: string, i: number): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  i = skipWs(t, i + 1);
  if (t.charCodeAt(i) === 93) return out;
  while (i < t.length) {
    const end = skipValue(t, i);
    out.push({ start: i, end });
    i = skipWs(t, end);
    if (t.charCodeAt(i) !== 44) break;
    i = skipWs(t, i + 1);
  }
  return out;
}

/**
 * Finds the text span of the value at a path in one line of JSON that JSON.parse has already accepted (so the
 * scanner can skip values without validating them). A repeated key resolves to its last occurrence, like JSON.parse.
 */
export function locateValue(text: string, segments: readonly PathSegment[]): ValueSpan | undefined {
  let start = skipWs(text, text.charCodeAt(0) === 0xfeff ? 1 : 0);
  for (const seg of segments) {
    const c = text.charCodeAt(start);
    if (typeof seg === 'number') {
      if (c !== 91) return undefined;
      const els = arrayElements(text, start);
      const idx = seg < 0 ? els.length + seg : seg;
      if (idx < 0 || idx >= els.length) return undefined;
      start = els[idx].start;
      continue;
    }
    if (c !== 123) return undefined;
    let i = skipWs(text, start + 1);
    let found = -1;
    while (i < text.length && text.charCodeAt(i) === 34) {
      const keyEnd = skipString(text, i);
      const raw = text.slice(i + 1, keyEnd - 1);
      const key = raw.includes('\\') ? (JSON.parse(text.slice(i, keyEnd)) as string) : raw;
      i = skipWs(text, keyEnd) + 1; // past ':'
      i = skipWs(text, i);
      if (key === seg) found = i;
      i = skipWs(text, skipValue(text, i));
      if (text.charCodeAt(i) !== 44) break;
      i = skipWs(text, i + 1);
    }
    if (found < 0) return undefined;
    start = found;
  }
  const end = skipValue(text, start);
  return text.charCodeAt(start) === 91
    ? { start, end, elements: arrayElements(text, start) }
    : { start, end };
}
