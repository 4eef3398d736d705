// Near-duplicate detection over example texts: normalization, word shingles, MinHash + LSH to find candidate
// pairs, and an exact Jaccard check on every candidate.
//
// Definition of "near duplicate" (what users see in the report):
//   1. Normalize the text: Unicode NFKC, lower case, every run of non-letter/non-digit characters becomes one
//      space, trimmed.
//   2. Take the set of word 3-shingles (consecutive 3-word windows; a text of fewer than 3 words is one shingle).
//   3. Drop boilerplate: shingles that occur in more than half of the compared examples (when there are at least
//      5 of them) — a shared prompt template would otherwise make every example a "near duplicate" of every other.
//   4. Two examples are near duplicates when the Jaccard similarity of their remaining shingle sets is at least
//      the threshold (default 0.8), or when their normalized texts are identical.
// Candidates come from MinHash signatures (64 hashes, 16 bands of 4 rows): a pair at Jaccard 0.8 is missed with
// probability (1 - 0.8^4)^16 ≈ 2e-4, at 0.9 ≈ 3e-7. Candidates are then checked exactly: no false positives.

export const NEAR_DUPLICATE_DEFINITION =
  'Near duplicates: after normalizing (NFKC, lower case, punctuation and whitespace collapsed), the sets of word 3-shingles — ' +
  'minus template shingles shared by more than half of the examples — have a Jaccard similarity of at least the threshold, ' +
  'or the normalized texts are identical. Exact duplicates (same JSON) are reported separately.';

export function normalizeText(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** 32-bit FNV-1a over a string's UTF-16 code units. */
export function fnv1a(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Sorted unique hashes of the word 3-shingles of a normalized text. */
export function shingleHashes(normalized: string, size = 3): Uint32Array {
  if (!normalized) return new Uint32Array(0);
  const words = normalized.split(' ');
  const set = new Set<number>();
  if (words.length < size) set.add(fnv1a(words.join(' ')));
  else for (let i = 0; i + size <= words.length; i++) set.add(fnv1a(words.slice(i, i + size).join(' ')));
  return Uint32Array.from(set).sort();
}

/** Jaccard similarity of two sorted unique arrays. */
export function jaccard(a: Uint32Array, b: Uint32Array): number {
  if (a.length === 0 && b.length === 0) return 1;
  let i = 0;
  let j = 0;
  let inter = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      inter++;
      i++;
      j++;
    } else if (a[i] < b[j]) i++;
    else j++;
  }
  return inter / (a.length + b.length - inter);
}

const NUM_HASHES = 64;
const BANDS = 16;
const ROWS = NUM_HASHES / BANDS;

// Fixed multipliers/offsets for the universal hash family h_k(x) = (a_k * x + b_k) mod 2^32, derived from a seed.
const HASH_A = new Uint32Array(NUM_HASHES);
const HASH_B = new Uint32Array(NUM_HASHES);
{
  let s = 0x9e3779b9;
  const next = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
  for (let k = 0; k < NUM_HASHES; k++) {
    HASH_A[k] = next() | 1;
    HASH_B[k] = next();
  }
}

function minhash(set: Uint32Array): Uint32Array {
  const sig = new Uint32Array(NUM_HASHES).fill(0xffffffff);
  for (let i = 0; i < set.length; i++) {
    const x = set[i];
    for (let k = 0; k < NUM_HASHES; k++) {
      const h = (Math.imul(HASH_A[k], x) + HASH_B[k]) >>> 0;
      if (h < sig[k]) sig[k] = h;
    }
  }
  return sig;
}

export interface NearDuplicatePair {
  /** Ids as given to add(), a < b in insertion order. */
  a: number;
  b: number;
  /** Jaccard similarity of the filtered shingle sets (1 for identical normalized texts). */
  similarity: number;
}

export interface NearDuplicateOptions {
  threshold?: number;
  /** Stop collecting after this many texts (memory bound); the result says how many were compared. */
  maxExamples?: number;
  /** Stop collecting once this many shingles are stored in total. */
  maxShingles?: number;
}

interface Entry {
  id: number;
  group: number;
  shingles: Uint32Array;
  textHash: string;
}

/**
 * Collects example texts (each with an id and a group, e.g. 0 = training, 1 = validation) and finds near-duplicate
 * pairs within a group or across groups.
 */
export class NearDuplicateIndex {
  private readonly entries: Entry[] = [];
  private storedShingles = 0;
  private skipped = 0;
  readonly threshold: number;
  private readonly maxExamples: number;
  private readonly maxShingles: number;

  constructor(opts: NearDuplicateOptions = {}) {
    this.threshold = opts.threshold ?? 0.8;
    this.maxExamples = opts.maxExamples ?? 100_000;
    this.maxShingles = opts.maxShingles ?? 30_000_000;
  }

  add(id: number, text: string, group = 0): void {
    if (this.entries.length >= this.maxExamples || this.storedShingles >= this.maxShingles) {
      this.skipped++;
      return;
    }
    const normalized = normalizeText(text);
    const shingles = shingleHashes(normalized);
    this.storedShingles += shingles.length;
    this.entries.push({
      id,
      group,
      shingles,
      textHash: `${normalized.length}:${fnv1a(normalized)}:${fnv1a(normalized, 0x1234567)}`,
    });
  }

  /** Texts compared / texts left out because of the memory bounds. */
  get compared(): number {
    return this.entries.length;
  }
  get notCompared(): number {
    return this.skipped;
  }

  /**
   * Pairs of near duplicates. `mode` 'within' pairs entries of the same group, 'across' pairs entries of
   * different groups. `exclude(a, b)` drops pairs already reported elsewhere (e.g. exact duplicates).
   */
  findPairs(
    mode: 'within' | 'across' = 'within',
    exclude?: (a: number, b: number) => boolean,
  ): NearDuplicatePair[] {
    const n = this.entries.length;
    if (n < 2) return [];
    // Boilerplate filter: document frequency of each shingle over the compared entries.
    const filtered: Uint32Array[] = this.entries.map((e) => e.shingles);
    if (n >= 5) {
      const df = new Map<number, number>();
      for (const e of this.entries) for (const h of e.shingles) df.set(h, (df.get(h) ?? 0) + 1);
      const limit = n / 2;
      for (let i = 0; i < n; i++)
        filtered[i] = this.entries[i].shingles.filter((h) => (df.get(h) ?? 0) <= limit);
    }
    const pairs = new Map<string, NearDuplicatePair>();
    const accept = (i: number, j: number, similarity: number) => {
      const ei = this.entries[i];
      const ej = this.entries[j];
      if (mode === 'within' ? ei.group !== ej.group : ei.group === ej.group) return;
      if (exclude?.(ei.id, ej.id)) return;
      const key = `${i}:${j}`;
      if (!pairs.has(key)) pairs.set(key, { a: ei.id, b: ej.id, similarity });
    };
    // Identical normalized texts are near duplicates whatever the filter left of them.
    const byText = new Map<string, number[]>();
    for (let i = 0; i < n; i++) {
      const list = byText.get(this.entries[i].textHash);
      if (list) list.push(i);
      else byText.set(this.entries[i].textHash, [i]);
    }
    for (const list of byText.values()) {
      for (let x = 0; x < list.length; x++)
        for (let y = x + 1; y < list.length; y++) accept(list[x], list[y], 1);
    }
    // LSH buckets over MinHash signatures of the filtered sets.
    const buckets = new Map<string, number[]>();
    for (let i = 0; i < n; i++) {
      if (filtered[i].length === 0) continue;
      const sig = minhash(filtered[i]);
      for (let b = 0; b < BANDS; b++) {
        let key = `${b}`;
        for (let r = 0; r < ROWS; r++) key += `:${sig[b * ROWS + r]}`;
        const list = buckets.get(key);
        if (list) list.push(i);
        else buckets.set(key, [i]);
      }
    }
    const checked = new Set<string>();
    for (const list of buckets.values()) {
      if (list.length < 2) continue;
      for (let x = 0; x < list.length; x++) {
        for (let y = x + 1; y < list.length; y++) {
          const i = list[x];
          const j = list[y];
          const key = `${i}:${j}`;
          if (checked.has(key) || pairs.has(key)) continue;
          checked.add(key);
          const s = jaccard(filtered[i], filtered[j]);
          if (s >= this.threshold) accept(i, j, s);
        }
      }
    }
    return [...pairs.values()].sort((p, q) => p.a - q.a || p.b - q.b);
  }
}

/** Groups pairs into clusters (connected components), each sorted, clusters ordered by first id. */
export function clusters(pairs: readonly { a: number; b: number }[]): number[][] {
  const parent = new Map<number, number>();
  const find = (x: number): number => {
    let r = x;
    while (parent.get(r) !== undefined && parent.get(r) !== r) r = parent.get(r)!;
    parent.set(x, r);
    return r;
  };
  for (const { a, b } of pairs) {
    if (!parent.has(a)) parent.set(a, a);
    if (!parent.has(b)) parent.set(b, b);
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(Math.max(ra, rb), Math.min(ra, rb));
  }
  const groups = new Map<number, number[]>();
  for (const x of parent.keys()) {
    const r = find(x);
    const g = groups.get(r);
    if (g) g.push(x);
    else groups.set(r, [x]);
  }
  return [...groups.values()].map((g) => g.sort((p, q) => p - q)).sort((p, q) => p[0] - q[0]);
}
