// o200k_base's pre-split for ASCII text without its regular expression, and token counts per piece through a table
// that never copies a piece out of the text: on a dataset of distinct English texts, the regex's match objects and
// the substrings they hold were most of the counting time (bench: `npm run bench -- tools`).
//
// The pattern (tiktoken's o200k_base; gpt-tokenizer and js-tiktoken use the same) is, alternative by alternative:
//   1. [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
//   2. [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?
//   3. \p{N}{1,3}
//   4. ' '?[^\s\p{L}\p{N}]+[\r\n/]*
//   5. \s*[\r\n]+
//   6. \s+(?!\S)
//   7. \s+
// Restricted to ASCII, the letter classes are A-Z and a-z, \p{N} is 0-9, and \s is tab, LF, VT, FF, CR and space.
// Every character starts some alternative, so the pieces tile the text. The unit tests check this scanner against
// the regex itself on random ASCII text made of the characters where the alternatives meet.

const UPPER = 1;
const LOWER = 2;
const DIGIT = 4;
const SPACE = 8;
const NEWLINE = 16;
/** Not a letter, digit, CR or LF: what may precede the letters of alternatives 1 and 2. */
const PREFIX = 32;
/** Not a space, letter or digit: alternative 4's run. */
const PUNCT = 64;

const CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  let k = 0;
  if (c >= 65 && c <= 90) k |= UPPER;
  else if (c >= 97 && c <= 122) k |= LOWER;
  else if (c >= 48 && c <= 57) k |= DIGIT;
  else if (c === 10 || c === 13) k |= SPACE | NEWLINE;
  else if (c === 9 || c === 11 || c === 12 || c === 32) k |= SPACE | PREFIX;
  else k |= PUNCT | PREFIX;
  CLASS[c] = k;
}

/** Character class of position i (0 past the end). The caller guarantees ASCII. */
function cls(text: string, i: number): number {
  return i < text.length ? CLASS[text.charCodeAt(i)] : 0;
}

/** Length of the contraction ('s, 't, 're, 've, 'm, 'll, 'd in any case) at i, or 0. */
function contraction(text: string, i: number): number {
  if (text.charCodeAt(i) !== 39) return 0;
  const a = text.charCodeAt(i + 1) | 32;
  if (a === 115 || a === 116 || a === 109 || a === 100) return 2; // s t m d
  const b = text.charCodeAt(i + 2) | 32;
  if ((a === 108 && b === 108) || (a === 118 && b === 101) || (a === 114 && b === 101)) return 3; // ll ve re
  return 0;
}

/** End of the piece that starts at `i` of an ASCII text (the regex's next match there). */
export function asciiPieceEnd(text: string, i: number): number {
  const k = cls(text, i);
  // Alternatives 1 and 2: letters, after at most one prefix character.
  const j = k & PREFIX && cls(text, i + 1) & (UPPER | LOWER) ? i + 1 : i;
  if (cls(text, j) & (UPPER | LOWER)) {
    let e = j;
    while (cls(text, e) & UPPER) e++;
    // Alternative 1 needs a lower-case run after the capitals, alternative 2 at least one capital; letters after
    // the capitals are always lower case here, so either way the piece runs to the end of the lower-case run.
    while (cls(text, e) & LOWER) e++;
    return e + contraction(text, e);
  }
  if (k & DIGIT) {
    let e = i + 1;
    while (e < i + 3 && cls(text, e) & DIGIT) e++;
    return e;
  }
  // Alternative 4: punctuation, after at most one space, then any CR, LF and '/'.
  const p = text.charCodeAt(i) === 32 && cls(text, i + 1) & PUNCT ? i + 1 : i;
  if (cls(text, p) & PUNCT) {
    let e = p + 1;
    while (cls(text, e) & PUNCT) e++;
    for (let c = text.charCodeAt(e); c === 10 || c === 13 || c === 47; c = text.charCodeAt(++e));
    return e;
  }
  // Whitespace. Alternative 5: the run up to its last line break; 6: the run less its last character when a
  // non-space follows; 7: a single space before a non-space.
  let e = i;
  let lastBreak = -1;
  for (let c = cls(text, e); c & SPACE; c = cls(text, ++e)) if (c & NEWLINE) lastBreak = e;
  if (lastBreak >= 0) return lastBreak + 1;
  return e === text.length || e - i === 1 ? e : e - 1;
}

const NON_ASCII = /[\u0080-\uffff]/;

/** Whether asciiPieceEnd applies to the whole text. */
export function isAscii(text: string): boolean {
  return !NON_ASCII.test(text);
}

/**
 * Token counts of pieces by their characters: open-addressing tables of FNV-1a hashes, compared in place with the
 * text being counted (no piece is copied out of it). A piece of up to 8 characters — nearly all of them — is its
 * own key: its character codes packed into two integers, stored with its length and count in one 16-byte entry, so
 * a lookup reads one cache line and no string. A longer piece's slot holds its text. A miss stores the piece once;
 * when half full, a table starts again (a dataset's pieces are a few thousand words).
 */
export class PieceCountTable {
  private readonly bits: number;
  /** Short pieces: per slot, the packed characters (two integers), length (0: empty) and count. */
  private short: Int32Array;
  private shortUsed = 0;
  private keys: (string | undefined)[];
  private hashes: Int32Array;
  private counts: Int32Array;
  private used = 0;

  constructor(bits = 17) {
    this.bits = bits;
    this.short = new Int32Array(4 << bits);
    this.keys = new Array<string | undefined>(1 << bits);
    this.hashes = new Int32Array(1 << bits);
    this.counts = new Int32Array(1 << bits);
  }

  /** The count of text[from, to), from the table or from `count` (then stored). */
  get(text: string, from: number, to: number, count: (piece: string) => number): number {
    const len = to - from;
    if (len <= 8) return this.getShort(text, from, to, count);
    let h = 0x811c9dc5 | 0;
    for (let i = from; i < to; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    const mask = (1 << this.bits) - 1;
    for (let slot = (h ^ (h >>> 15)) & mask; ; slot = (slot + 1) & mask) {
      const key = this.keys[slot];
      if (key === undefined) break;
      if (this.hashes[slot] === h && key.length === len) {
        let same = true;
        for (let i = 0; i < len && same; i++) same = key.charCodeAt(i) === text.charCodeAt(from + i);
        if (same) return this.counts[slot];
      }
    }
    const piece = text.slice(from, to);
    const c = count(piece);
    if (this.used >= 1 << (this.bits - 1)) this.clearLong();
    let slot = (h ^ (h >>> 15)) & mask;
    while (this.keys[slot] !== undefined) slot = (slot + 1) & mask;
    this.keys[slot] = piece;
    this.hashes[slot] = h;
    this.counts[slot] = c;
    this.used++;
    return c;
  }

  private getShort(text: string, from: number, to: number, count: (piece: string) => number): number {
    // ASCII codes are 7 bits: four to an integer.
    let a = 0;
    let b = 0;
    for (let i = from; i < to && i < from + 4; i++) a = (a << 8) | text.charCodeAt(i);
    for (let i = from + 4; i < to; i++) b = (b << 8) | text.charCodeAt(i);
    const len = to - from;
    let h = Math.imul(a ^ Math.imul(b, 0x9e3779b1) ^ len, 0x01000193);
    h ^= h >>> 15;
    const mask = (1 << this.bits) - 1;
    const t = this.short;
    let slot = h & mask;
    for (; t[4 * slot + 2] !== 0; slot = (slot + 1) & mask)
      if (t[4 * slot] === a && t[4 * slot + 1] === b && t[4 * slot + 2] === len) return t[4 * slot + 3];
    const c = count(text.slice(from, to));
    if (this.shortUsed >= 1 << (this.bits - 1)) {
      t.fill(0);
      this.shortUsed = 0;
      slot = h & mask;
    }
    t[4 * slot] = a;
    t[4 * slot + 1] = b;
    t[4 * slot + 2] = len;
    t[4 * slot + 3] = c;
    this.shortUsed++;
    return c;
  }

  clear(): void {
    this.short.fill(0);
    this.shortUsed = 0;
    this.clearLong();
  }

  private clearLong(): void {
    this.keys = new Array<string | undefined>(1 << this.bits);
    this.hashes.fill(0);
    this.counts.fill(0);
    this.used = 0;
  }
}

/**
 * The tokens of an ASCII text whose pieces are all at most `maxPiece` characters, counted piece by piece through
 * `table`; -1 when a piece is longer (the caller counts such text another way).
 */
export function countAsciiPieces(
  text: string,
  table: PieceCountTable,
  countPiece: (piece: string) => number,
  maxPiece: number,
): number {
  let n = 0;
  for (let i = 0; i < text.length;) {
    const e = asciiPieceEnd(text, i);
    if (e - i > maxPiece) return -1;
    n += table.get(text, i, e, countPiece);
    i = e;
  }
  return n;
}
