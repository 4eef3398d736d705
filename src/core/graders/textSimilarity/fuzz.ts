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

/**
 * `rapidfuzz.fuzz.ratio(s1, s2) / 100` (rapidfuzz 3.10.1, no processor): Indel normalized similarity,
 * 1 - (len1 + len2 - 2·LCS) / (len1 + len2), with two empty strings scoring 1.
 */
export function fuzzRatio(s1: string, s2: string): number {
  const a = codePoints(s1);
  const b = codePoints(s2);
  const lensum = a.length + b.length;
  if (lensum === 0) return 1;
  const dist = lensum - 2 * lcsLength(a, b);
  const normSim = 1 - dist / lensum;
  // rapidfuzz returns the similarity ×100; the grader divides by 100 again. Keep both roundings.
  return (normSim * 100) / 100;
}
