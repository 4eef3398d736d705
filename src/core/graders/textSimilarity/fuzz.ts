// rapidfuzz `fuzz.ratio` (Indel normalized similarity) over Unicode code points, as Python sees strings.

/** Splits a string into code points as numbers (Python's `str` is a sequence of code points, JS strings are UTF-16). */
export function codePoints(s: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out.push(((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000);
        i++;
        continue;
      }
    }
    out.push(c);
  }
  return out;
}

/** Length of the longest common subsequence (bit-parallel, Hyyrö / Allison–Dix), as rapidfuzz computes Indel. */
export function lcsLength(a: readonly number[], b: readonly number[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  // Put the shorter sequence into the bit vectors.
  if (a.length > b.length) [a, b] = [b, a];
  const words = (a.length + 31) >>> 5;
  const masks = new Map<number, Uint32Array>();
  for (let i = 0; i < a.length; i++) {
    let m = masks.get(a[i]);
    if (!m) {
      m = new Uint32Array(words);
      masks.set(a[i], m);
    }
    m[i >>> 5] |= 1 << (i & 31);
  }
  // S holds 1 bits for positions not (yet) in the LCS; popcount of zeros at the end is the LCS length.
  const S = new Uint32Array(words).fill(0xffffffff);
  const zero = new Uint32Array(words);
  for (let j = 0; j < b.length; j++) {
    const M = masks.get(b[j]) ?? zero;
    let carry = 0;
    for (let w = 0; w < words; w++) {
      const s = S[w];
      const u = (s & M[w]) >>> 0;
      // (S + u + carry) with 32-bit carry propagation, then | (S - u).
      const sum = s + u + carry;
      carry = sum > 0xffffffff ? 1 : 0;
      S[w] = ((sum >>> 0) | (s - u)) >>> 0;
    }
  }
  let ones = 0;
  const lastBits = a.length & 31;
  for (let w = 0; w < words; w++) {
    let v = S[w];
    if (w === words - 1 && lastBits !== 0) v &= (1 << lastBits) - 1 || 0xffffffff;
    v = v - ((v >>> 1) & 0x55555555);
    v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
    ones += (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
  }
  const usedBits = a.length;
  return usedBits - ones;
}

const SURROGATE = /[\ud800-\udfff]/;
/** Per-character match masks for the single-word case, indexed by UTF-16 code unit; cleared after each use. */
const bmpMasks = new Int32Array(0x10000);

/** LCS length of two surrogate-free strings whose shorter one has at most 32 characters (one machine word). */
function lcsShortBmp(a: string, b: string): number {
  if (a.length > b.length) [a, b] = [b, a];
  for (let i = 0; i < a.length; i++) bmpMasks[a.charCodeAt(i)] |= 1 << i;
  const full = a.length === 32 ? -1 : (1 << a.length) - 1;
  let S = full;
  for (let j = 0; j < b.length; j++) {
    const u = S & bmpMasks[b.charCodeAt(j)];
    S = ((S + u) | (S - u)) & full;
  }
  for (let i = 0; i < a.length; i++) bmpMasks[a.charCodeAt(i)] = 0;
  // Zero bits of S mark LCS positions.
  let ones = S >>> 0;
  let count = 0;
  while (ones !== 0) {
    ones &= ones - 1;
    count++;
  }
  return a.length - count;
}

/** Per-character slot (1-based) into `pool` for the multi-word case; cleared after each use. */
const bmpSlots = new Int32Array(0x10000);
let pool = new Uint32Array(1024);
let scratch = new Uint32Array(64);

/** LCS length of two surrogate-free strings of any length (bit-parallel over ceil(len/32) words). */
function lcsLongBmp(a: string, b: string): number {
  if (a.length > b.length) [a, b] = [b, a];
  const words = (a.length + 31) >>> 5;
  let distinct = 0;
  for (let i = 0; i < a.length; i++) {
    const c = a.charCodeAt(i);
    let slot = bmpSlots[c];
    if (slot === 0) {
      slot = ++distinct;
      bmpSlots[c] = slot;
      if (slot * words > pool.length) {
        const grown = new Uint32Array(Math.max(pool.length * 2, slot * words));
        grown.set(pool);
        pool = grown;
      }
    }
    pool[(slot - 1) * words + (i >>> 5)] |= 1 << (i & 31);
  }
  if (scratch.length < words) scratch = new Uint32Array(words);
  const S = scratch;
  S.fill(0xffffffff, 0, words);
  for (let j = 0; j < b.length; j++) {
    const slot = bmpSlots[b.charCodeAt(j)];
    // A character absent from `a` has an empty mask and leaves S unchanged.
    if (slot === 0) continue;
    const base = (slot - 1) * words;
    let carry = 0;
    for (let w = 0; w < words; w++) {
      const x = S[w];
      const u = (x & pool[base + w]) >>> 0;
      const sum = x + u + carry;
      carry = sum > 0xffffffff ? 1 : 0;
      S[w] = ((sum >>> 0) | (x - u)) >>> 0;
    }
  }
  pool.fill(0, 0, distinct * words);
  for (let i = 0; i < a.length; i++) bmpSlots[a.charCodeAt(i)] = 0;
  let ones = 0;
  const lastBits = a.length & 31;
  for (let w = 0; w < words; w++) {
    let v = S[w];
    if (w === words - 1 && lastBits !== 0) v = (v & ((1 << lastBits) - 1)) >>> 0;
    while (v !== 0) {
      v = (v & (v - 1)) >>> 0;
      ones++;
    }
  }
  return a.length - ones;
}

/**
 * `rapidfuzz.fuzz.ratio(s1, s2) / 100` (rapidfuzz 3.10.1, no processor): Indel normalized similarity,
 * 1 - (len1 + len2 - 2·LCS) / (len1 + len2), with two empty strings scoring 1.
 */
export function fuzzRatio(s1: string, s2: string): number {
  if (!SURROGATE.test(s1) && !SURROGATE.test(s2)) {
    const lensum = s1.length + s2.length;
    if (lensum === 0) return 1;
    const lcs = Math.min(s1.length, s2.length) <= 32 ? lcsShortBmp(s1, s2) : lcsLongBmp(s1, s2);
    const normSim = 1 - (lensum - 2 * lcs) / lensum;
    return (normSim * 100) / 100;
  }
  const a = codePoints(s1);
  const b = codePoints(s2);
  const lensum = a.length + b.length;
  if (lensum === 0) return 1;
  const dist = lensum - 2 * lcsLength(a, b);
  const normSim = 1 - dist / lensum;
  // rapidfuzz returns the similarity ×100; the grader divides by 100 again. Keep both roundings.
  return (normSim * 100) / 100;
}
