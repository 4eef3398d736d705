// Duplicate keys in one JSON object, found by a single iterative scan of the text (JSON.parse keeps the last
// value silently; other parsers may keep the first or refuse the line). Cheap enough to run on every line:
// value strings are skipped with indexOf, and only keys are collected.

export interface DuplicateKey {
  key: string;
  /** Offsets of the repeated key's quoted text (the later occurrence). */
  start: number;
  end: number;
}

/** Repeated keys of any object in `text` (valid JSON), in text order; at most `max` are returned. */
export function findDuplicateKeys(text: string, max = 5): DuplicateKey[] {
  const out: DuplicateKey[] = [];
  // One entry per open container: the keys seen so far for an object, null for an array.
  const stack: (Set<string> | null)[] = [];
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b /* { */) stack.push(new Set());
    else if (c === 0x5b /* [ */) stack.push(null);
    else if (c === 0x7d /* } */ || c === 0x5d /* ] */) stack.pop();
    else if (c === 0x22 /* " */) {
      const start = i;
      let end = text.indexOf('"', i + 1);
      while (end > 0 && isEscaped(text, end)) end = text.indexOf('"', end + 1);
      if (end < 0) break; // not valid JSON: the parser reports it
      i = end;
      const keys = stack[stack.length - 1];
      if (!keys) continue;
      let j = end + 1;
      while (j < n && isSpace(text.charCodeAt(j))) j++;
      if (text.charCodeAt(j) !== 0x3a /* : */) continue; // a value string
      const raw = text.slice(start + 1, end);
      const key = raw.includes('\\') ? decodeKey(raw) : raw;
      if (keys.has(key)) {
        out.push({ key, start, end: end + 1 });
        if (out.length >= max) break;
      } else keys.add(key);
    }
  }
  return out;
}

function isEscaped(text: string, quote: number): boolean {
  let backslashes = 0;
  for (let k = quote - 1; text.charCodeAt(k) === 0x5c; k--) backslashes++;
  return backslashes % 2 === 1;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function decodeKey(raw: string): string {
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return raw;
  }
}
