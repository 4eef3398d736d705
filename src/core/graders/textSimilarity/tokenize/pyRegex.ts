// Character classes that make JS regular expressions (with the `u` flag) behave like Python 3's `re` on `str`.

/** Python's `\s` and `str.split()` / `str.strip()` whitespace (str.isspace): differs from JS `\s` (\x1c-\x1f, \x85; no \ufeff). */
export const WS =
  '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
/** Python's `\w` (str.isalnum() or '_'); JS `\w` is ASCII-only even with the `u` flag. */
export const WORD = '\\p{L}\\p{N}_';
/** Python's `[^\W\d]`: word characters that are not decimal digits. */
export const ALPHA = '\\p{L}\\p{Nl}\\p{No}_';
/** Python's `\b` (Unicode word boundary). */
export const B = `(?:(?<=[${WORD}])(?![${WORD}])|(?<![${WORD}])(?=[${WORD}]))`;
/** Python's `$` without MULTILINE: end of string or before a final newline. */
export const END = '(?=\\n?$)';

const WS_RE = new RegExp(`[${WS}]+`, 'u');
const STRIP_RE = new RegExp(`^[${WS}]+|[${WS}]+$`, 'gu');
const RSTRIP_RE = new RegExp(`[${WS}]+$`, 'u');

/** Python's `s.split()` with no arguments. */
export function pySplit(s: string): string[] {
  const out: string[] = [];
  for (const part of s.split(WS_RE)) if (part.length > 0) out.push(part);
  return out;
}

export function pyStrip(s: string): string {
  return s.replace(STRIP_RE, '');
}

export function pyRstrip(s: string): string {
  return s.replace(RSTRIP_RE, '');
}
