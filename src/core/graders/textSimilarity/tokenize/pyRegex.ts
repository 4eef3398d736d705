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
const WS_CHAR = new RegExp(`^[${WS}]$`, 'u');

/** Python's `s.split()` with no arguments. */
export function pySplit(s: string): string[] {
  const out: string[] = [];
  for (const part of s.split(WS_RE)) if (part.length > 0) out.push(part);
  return out;
}

// Strip by scanning rather than with /\s+$/, which backtracks quadratically on long whitespace runs.
// Every Python whitespace character is a single UTF-16 unit.
function isSpace(s: string, i: number): boolean {
  return WS_CHAR.test(s[i]);
}

export function pyStrip(s: string): string {
  let start = 0;
  while (start < s.length && isSpace(s, start)) start++;
  return pyRstrip(s.slice(start));
}

export function pyRstrip(s: string): string {
  let end = s.length;
  while (end > 0 && isSpace(s, end - 1)) end--;
  return s.slice(0, end);
}
