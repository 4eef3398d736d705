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
// Speed: the work runs on distinct normalized texts (copies share one outcome); ASCII text is normalized and hashed
// in one pass over a byte buffer; the template filter counts exactly only the shingles a small cache-resident table
// cannot rule out; MinHash runs in untagged 32-bit integers, and each band of the signature is kept as one 32-bit
// key. The band keys are made as the texts are fingerprinted (FingerprintSigner, on whichever thread fingerprints),
// against a provisional template set from the first texts; the search signs again the texts the final set treats
// differently, then only buckets keys. The exact checks and the pairs listed are bounded, and the result says when
// a bound cut.

import { grow, KeyTable } from './keyTable';

export const NEAR_DUPLICATE_DEFINITION =
  'Near duplicates: after normalizing (NFKC, lower case, punctuation and whitespace collapsed), the sets of word 3-shingles — ' +
  'minus template shingles shared by more than half of the examples — have a Jaccard similarity of at least the threshold, ' +
  'or the normalized texts are identical. Exact duplicates (same JSON) are reported separately.';

// ASCII: NFKC leaves such text as it is, lower case only maps A-Z, and the
// letters and digits among it are exactly a-z and 0-9 after that — so the cheap path below gives the same text.
const ASCII_TEXT = /^[^\u0080-\uffff]*$/;

export function normalizeText(text: string): string {
  if (ASCII_TEXT.test(text)) return normalizeAscii(text);
  return normalizeSlow(text);
}

/** The definition, step by step, for any text (the reference the fast path is tested against). */
export function normalizeSlow(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

function normalizeAscii(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
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

/** 32-bit FNV-1a over `s.slice(from, to)`, without making the slice. */
function fnv1aRange(s: string, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

let wordStarts = new Int32Array(1024);

/**
 * Sorted unique hashes of the word 3-shingles of a normalized text. Words are separated by single spaces there, so a
 * shingle (the words joined by a space) is a substring, hashed in place.
 */
export function shingleHashes(normalized: string, size = 3): Uint32Array {
  if (!normalized) return new Uint32Array(0);
  // Word starts in a scratch array reused across calls (one text after another, no array per text).
  let starts = wordStarts;
  let words = 1;
  starts[0] = 0;
  for (let i = normalized.indexOf(' '); i >= 0; i = normalized.indexOf(' ', i + 1)) {
    if (words === starts.length) wordStarts = starts = grow(starts, words + 1);
    starts[words++] = i + 1;
  }
  // A huge text does not keep its scratch array alive afterwards.
  if (starts.length > 1 << 16) wordStarts = new Int32Array(1024);
  if (words < size) return Uint32Array.of(fnv1a(normalized));
  const hashes = new Uint32Array(words - size + 1);
  for (let i = 0; i + size <= words; i++)
    hashes[i] = fnv1aRange(
      normalized,
      starts[i],
      i + size < words ? starts[i + size] - 1 : normalized.length,
    );
  return sortedUnique(hashes);
}

/** What the index keeps of a text: its shingle hashes and the identity of its normalized text. */
export interface TextFingerprint {
  shingles: Uint32Array;
  length: number;
  hash1: number;
  hash2: number;
  /**
   * The LSH band keys of the MinHash signature of the shingles minus `template` (bandKeysInto), made ahead of the
   * search (FingerprintSigner). The search uses them when its own template set treats this text's shingles the
   * same, and signs the text again otherwise; without them, the search signs the text.
   */
  bands?: Uint32Array;
  /** The provisional template shingles the signature left out: sorted, unique (one array shared by many texts). */
  template?: Uint32Array;
}

const HASH2_SEED = 0x1234567;

/** The fingerprint by the definition: normalize to a string, then hash (the reference for the fast path). */
export function fingerprintSlow(text: string): TextFingerprint {
  const normalized = normalizeText(text);
  return {
    shingles: shingleHashes(normalized),
    length: normalized.length,
    hash1: fnv1a(normalized),
    hash2: fnv1a(normalized, HASH2_SEED),
  };
}

let asciiScratch = new Uint8Array(4096);
let asciiStarts = new Int32Array(1024);

function fnv1aBytes(b: Uint8Array, from: number, to: number, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = from; i < to; i++) h = Math.imul(h ^ b[i], 0x01000193);
  return h >>> 0;
}

/**
 * The same fingerprint for an ASCII text without building the normalized string: one pass lower-cases letters and
 * collapses every run of other characters into one space (none at the ends) into a byte buffer, then the hashes
 * run over its ranges. Undefined as soon as a character is not ASCII (the caller takes the definition's path).
 */
export function asciiFingerprint(text: string): TextFingerprint | undefined {
  if (asciiScratch.length < text.length) asciiScratch = new Uint8Array(text.length * 2);
  const buf = asciiScratch;
  let starts = asciiStarts;
  let len = 0;
  let words = 0;
  let gap = false;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0x80) return undefined;
    if (c >= 65 && c <= 90) c += 32;
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) {
      if (len === 0 || gap) {
        if (len > 0) buf[len++] = 32;
        if (words === starts.length) asciiStarts = starts = grow(starts, words + 1);
        starts[words++] = len;
        gap = false;
      }
      buf[len++] = c;
    } else gap = true;
  }
  // A huge text does not keep its scratch arrays alive afterwards.
  if (asciiScratch.length > 1 << 20) asciiScratch = new Uint8Array(4096);
  if (asciiStarts.length > 1 << 16) asciiStarts = new Int32Array(1024);
  const hash1 = fnv1aBytes(buf, 0, len);
  const hash2 = fnv1aBytes(buf, 0, len, HASH2_SEED);
  const size = 3;
  let shingles: Uint32Array;
  if (len === 0) shingles = new Uint32Array(0);
  else if (words < size) shingles = Uint32Array.of(hash1);
  else {
    const hashes = shingleSlab.room(words - size + 1);
    for (let i = 0; i + size <= words; i++)
      hashes[i] = fnv1aBytes(buf, starts[i], i + size < words ? starts[i + size] - 1 : len);
    shingles = shingleSlab.keep(sortedUnique(hashes));
  }
  return { shingles, length: len, hash1, hash2 };
}

/**
 * Small arrays carved from shared buffers: views, not arrays with memory of their own (an off-heap allocation each,
 * which the collector tracks) for many small arrays kept a while, such as the shingles and band keys of every text.
 */
class Uint32Slab {
  private buffer = new Uint32Array(0);
  private used = 0;

  constructor(private readonly size: number) {}

  /** Room for `n` numbers at the slab's free end (an array of its own when over a quarter of a slab). */
  room(n: number): Uint32Array {
    if (n > this.size / 4) return new Uint32Array(n);
    if (this.used + n > this.buffer.length) {
      this.buffer = new Uint32Array(this.size);
      this.used = 0;
    }
    return this.buffer.subarray(this.used, this.used + n);
  }

  /** Keeps `view`, the start of the last room given (or any other array, left as it is); returns it. */
  keep(view: Uint32Array): Uint32Array {
    if (view.buffer === this.buffer.buffer) this.used += view.length;
    return view;
  }
}

const shingleSlab = new Uint32Slab(1 << 16);

/** A text's fingerprint by the definition (the ASCII fast path when it applies). */
export function textFingerprint(text: string): TextFingerprint {
  return asciiFingerprint(text) ?? fingerprintSlow(text);
}

function sortedUnique(hashes: Uint32Array): Uint32Array {
  hashes.sort();
  let unique = 0;
  for (let i = 0; i < hashes.length; i++)
    if (i === 0 || hashes[i] !== hashes[i - 1]) hashes[unique++] = hashes[i];
  return unique === hashes.length ? hashes : hashes.subarray(0, unique);
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

const HASH_A_SIGNED = new Int32Array(HASH_A);
// b + 2^31 (mod 2^32): the flipped hash (a x + b) ^ 2^31 in one addition.
const HASH_B_FLIPPED = Int32Array.from(HASH_B, (b) => (b ^ 0x80000000) | 0);

/** The MinHash signature of a set, written to `sigs` at `at`. */
function minhashInto(set: Uint32Array, sigs: Uint32Array, at: number): void {
  // One hash function at a time over the (small) set: the running minimum stays in a register. All in signed
  // 32-bit integers (V8 keeps them untagged; unsigned values above 2^31 would be doubles): flipping the top bit
  // makes the signed order the unsigned one.
  // Four functions per pass over the set: each element is loaded once for four hashes.
  const x = new Int32Array(set.buffer, set.byteOffset, set.length);
  const n = x.length;
  for (let k = 0; k < NUM_HASHES; k += 4) {
    const a0 = HASH_A_SIGNED[k];
    const a1 = HASH_A_SIGNED[k + 1];
    const a2 = HASH_A_SIGNED[k + 2];
    const a3 = HASH_A_SIGNED[k + 3];
    const b0 = HASH_B_FLIPPED[k];
    const b1 = HASH_B_FLIPPED[k + 1];
    const b2 = HASH_B_FLIPPED[k + 2];
    const b3 = HASH_B_FLIPPED[k + 3];
    let m0 = 0x7fffffff;
    let m1 = 0x7fffffff;
    let m2 = 0x7fffffff;
    let m3 = 0x7fffffff;
    for (let i = 0; i < n; i++) {
      const v = x[i];
      const h0 = (Math.imul(a0, v) + b0) | 0;
      const h1 = (Math.imul(a1, v) + b1) | 0;
      const h2 = (Math.imul(a2, v) + b2) | 0;
      const h3 = (Math.imul(a3, v) + b3) | 0;
      if (h0 < m0) m0 = h0;
      if (h1 < m1) m1 = h1;
      if (h2 < m2) m2 = h2;
      if (h3 < m3) m3 = h3;
    }
    sigs[at + k] = (m0 ^ 0x80000000) >>> 0;
    sigs[at + k + 1] = (m1 ^ 0x80000000) >>> 0;
    sigs[at + k + 2] = (m2 ^ 0x80000000) >>> 0;
    sigs[at + k + 3] = (m3 ^ 0x80000000) >>> 0;
  }
}

/** The MinHash signature of a sorted set with the hash family's parameters (for tests against the definition). */
export function minhashSignature(set: Uint32Array): {
  a: Uint32Array;
  b: Uint32Array;
  signature: Uint32Array;
} {
  const signature = new Uint32Array(NUM_HASHES);
  minhashInto(set, signature, 0);
  return { a: HASH_A.slice(), b: HASH_B.slice(), signature };
}

/** Texts a FingerprintSigner takes its provisional template set from before it signs anything. */
export const TEMPLATE_SAMPLE = 256;

/** Band keys per text (bandKeysInto). */
export const BAND_KEYS = BANDS;

const SIGNATURE = new Uint32Array(NUM_HASHES);

/**
 * The LSH band keys of a set's MinHash signature, written to `out` at `at`: for each band, a 32-bit FNV-1a hash of
 * its rows. The search buckets texts by these keys; a quarter of the signature's size (memory is what the search
 * costs on tens of thousands of texts: touching a fresh megabyte takes ~3 ms on a small virtual machine, measured).
 * Two texts whose rows differ share a key with probability 2^-32 per band; such a pair is only one more candidate,
 * and every candidate is checked exactly.
 */
export function bandKeysInto(set: Uint32Array, out: Uint32Array, at: number): void {
  minhashInto(set, SIGNATURE, 0);
  for (let band = 0; band < BANDS; band++) {
    let h = 0x811c9dc5;
    for (let r = band * ROWS; r < (band + 1) * ROWS; r++) h = Math.imul(h ^ SIGNATURE[r], 0x01000193);
    out[at + band] = h >>> 0;
  }
}

/**
 * Signs fingerprints with MinHash as they are made, so that the search at the end has little left to do (and a
 * thread that fingerprints, such as the statistics worker, signs in parallel). A signature needs the template
 * shingles left out, which only the whole set of texts decides; the signer takes a provisional set from the first
 * TEMPLATE_SAMPLE texts it sees — those over half of them — and leaves those texts unsigned. findPairs signs again
 * every text whose shingles the final template set treats differently, so results follow the definition exactly;
 * on usual data the two sets are equal (a template is in nearly every example, a content shingle in few).
 */
export class FingerprintSigner {
  private sample: Uint32Array[] | undefined = [];
  private skip = new Set<number>();
  private templateHashes = new Uint32Array(0);
  /** Band keys for sign(): no buffer of its own per text. */
  private readonly slab = new Uint32Slab(BANDS * 1024);

  /** The provisional template set, once taken (sorted, unique); undefined while the sample is filling. */
  get template(): Uint32Array | undefined {
    return this.sample ? undefined : this.templateHashes;
  }

  /**
   * Writes the band keys of `shingles` minus the provisional template set to `out` at `at` (BAND_KEYS numbers), and
   * says whether it did: false for the sample's own texts.
   */
  signInto(shingles: Uint32Array, out: Uint32Array, at: number): boolean {
    if (this.sample) {
      this.sample.push(shingles);
      if (this.sample.length === TEMPLATE_SAMPLE) {
        const sample = this.sample;
        this.skip = frequentShingles(sample, new Array<number>(sample.length).fill(1), sample.length / 2);
        this.templateHashes = Uint32Array.from(this.skip).sort();
        this.sample = undefined;
      }
      return false;
    }
    bandKeysInto(this.skip.size ? shingles.filter((h) => !this.skip.has(h)) : shingles, out, at);
    return true;
  }

  /** Signs `fp` in place (see signInto); returns it. */
  sign(fp: TextFingerprint): TextFingerprint {
    const bands = this.slab.room(BANDS);
    if (this.signInto(fp.shingles, bands, 0)) {
      fp.bands = this.slab.keep(bands);
      fp.template = this.templateHashes;
    }
    return fp;
  }
}

/** Writes text u's band keys into band-major `keys` (band b's key at b * texts + u). */
function spreadBands(bands: Uint32Array, keys: Uint32Array, texts: number, u: number): void {
  for (let band = 0; band < BANDS; band++) keys[band * texts + u] = bands[band];
}

/** Spreads a 32-bit hash over the slots of a power-of-two table. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x45d9f3b);
  h ^= h >>> 16;
  return h >>> 0;
}

function tableSize(entries: number): number {
  let size = 16;
  while (size < entries * 2) size *= 2;
  return size;
}

/**
 * Shingles held by more than `limit` of the compared examples (each text weighs its number of copies). A small
 * count table indexed by hash (a count-min sketch of one row, cache-resident) bounds every shingle's count from
 * above; only shingles whose bound exceeds the limit are then counted exactly. On most datasets no bound does, and
 * the exact pass is skipped: a table of every distinct shingle (tens of MB, a cache miss per shingle) is not needed.
 */
export function frequentShingles(
  sets: readonly Uint32Array[],
  weights: readonly number[],
  limit: number,
): Set<number> {
  let total = 0;
  for (const set of sets) total += set.length;
  const size = Math.min(1 << 16, tableSize(total));
  const mask = size - 1;
  const bound = new Float64Array(size);
  for (let u = 0; u < sets.length; u++) {
    const set = sets[u];
    const w = weights[u];
    for (let i = 0; i < set.length; i++) bound[mix(set[i]) & mask] += w;
  }
  const frequent = new Set<number>();
  let hot = false;
  for (let i = 0; i < size && !hot; i++) hot = bound[i] > limit;
  if (!hot) return frequent;
  const exact = new Map<number, number>();
  for (let u = 0; u < sets.length; u++) {
    const set = sets[u];
    const w = weights[u];
    for (let i = 0; i < set.length; i++) {
      const h = set[i];
      if (bound[mix(h) & mask] > limit) exact.set(h, (exact.get(h) ?? 0) + w);
    }
  }
  for (const [h, count] of exact) if (count > limit) frequent.add(h);
  return frequent;
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
  /** List at most this many pairs (one text copied k times alone makes k²/2 of them); they are still counted. */
  maxPairs?: number;
  /** Count at most this many pairs (each goes through `exclude`). */
  maxCounted?: number;
  /** Check at most this many candidate pairs of distinct texts exactly (candidates crowd one bucket in the worst case). */
  maxChecks?: number;
}

export interface NearDuplicateResult {
  /** Sorted by `a`, then `b`: every pair found, unless `pairsCut`. */
  pairs: NearDuplicatePair[];
  /** Pairs found (all of them, unless `countCut`). */
  total: number;
  /** Connected components of all pairs found: ids sorted, clusters ordered by first id. */
  clusters: number[][];
  /** Listing stopped at `maxPairs`: the pairs listed are the first found, not necessarily the lowest ids. */
  pairsCut: boolean;
  /** Counting stopped at `maxCounted`: `total` and the clusters are lower bounds. */
  countCut: boolean;
  /** Candidate pairs of distinct texts left unchecked at `maxChecks` (an upper bound; 0 when all were checked). */
  uncheckedCandidates: number;
}

export const DEFAULT_MAX_NEAR_PAIRS = 100_000;
export const DEFAULT_MAX_NEAR_COUNTED = 20_000_000;
export const DEFAULT_MAX_NEAR_CHECKS = 4_000_000;

/**
 * Collects example texts (each with an id and a group, e.g. 0 = training, 1 = validation) and finds near-duplicate
 * pairs within a group or across groups.
 */
export class NearDuplicateIndex {
  /** The texts kept, by insertion order: id and group as given, and fingerprint (columns, no object per text). */
  private readonly ids: number[] = [];
  private readonly groups: number[] = [];
  private readonly fps: TextFingerprint[] = [];
  private storedShingles = 0;
  private skipped = 0;
  readonly threshold: number;
  /** Texts kept at most; later ones are counted as not compared. */
  readonly maxExamples: number;
  /** Texts are kept until this many shingles are stored. */
  readonly maxShingles: number;
  private readonly maxPairs: number;
  private readonly maxCounted: number;
  private readonly maxChecks: number;

  constructor(opts: NearDuplicateOptions = {}) {
    this.threshold = opts.threshold ?? 0.8;
    this.maxExamples = opts.maxExamples ?? 100_000;
    this.maxShingles = opts.maxShingles ?? 30_000_000;
    this.maxPairs = opts.maxPairs ?? DEFAULT_MAX_NEAR_PAIRS;
    this.maxCounted = opts.maxCounted ?? DEFAULT_MAX_NEAR_COUNTED;
    this.maxChecks = opts.maxChecks ?? DEFAULT_MAX_NEAR_CHECKS;
  }

  add(id: number, text: string, group = 0): void {
    this.addFingerprint(id, () => textFingerprint(text), group);
  }

  /**
   * Adds a text by its fingerprint (computed elsewhere, e.g. on the statistics worker): the same as add() with the
   * text. `fingerprint` is only asked for while the bounds leave room.
   */
  addFingerprint(id: number, fingerprint: () => TextFingerprint | undefined, group = 0): void {
    if (this.fps.length >= this.maxExamples || this.storedShingles >= this.maxShingles) {
      this.skipped++;
      return;
    }
    const fp = fingerprint();
    if (!fp) throw new Error(`no near-duplicate fingerprint for example ${id}`);
    this.storedShingles += fp.shingles.length;
    this.ids.push(id);
    this.groups.push(group);
    this.fps.push(fp);
  }

  /** Texts compared / texts left out because of the memory bounds. */
  get compared(): number {
    return this.fps.length;
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
  ): NearDuplicateResult {
    const n = this.fps.length;
    const result: NearDuplicateResult = {
      pairs: [],
      total: 0,
      clusters: [],
      pairsCut: false,
      countCut: false,
      uncheckedCandidates: 0,
    };
    if (n < 2) return result;
    // Distinct normalized texts (u), numbered by their identity (hash1, hash2, length) in order of first entry.
    const textIds = new KeyTable();
    const textOf = new Int32Array(n);
    const copies: number[] = [];
    const firstEntry: number[] = [];
    const shingles: Uint32Array[] = [];
    const firsts: TextFingerprint[] = [];
    for (let i = 0; i < n; i++) {
      const e = this.fps[i];
      const u = textIds.add(e.hash1, e.hash2, e.length);
      textOf[i] = u;
      if (u === shingles.length) {
        shingles.push(e.shingles);
        firsts.push(e);
        firstEntry.push(i);
        copies.push(1);
      } else copies[u]++;
    }
    const texts = shingles.length;
    // The entries of each text with copies, in insertion order (texts in order too); a text alone has its first.
    const copied = new Map<number, number[]>();
    for (let i = 0; i < n; i++) {
      const u = textOf[i];
      if (copies[u] < 2) continue;
      const list = copied.get(u);
      if (list) list.push(i);
      else copied.set(u, [i]);
    }
    const members = (u: number): number[] => copied.get(u) ?? [firstEntry[u]];
    // Boilerplate filter: document frequency of each shingle over the compared entries (copies included).
    let filtered = shingles;
    let frequent = new Set<number>();
    if (n >= 5) {
      frequent = frequentShingles(shingles, copies, n / 2);
      if (frequent.size) filtered = shingles.map((set) => set.filter((h) => !frequent.has(h)));
    }
    const pairs = result.pairs;
    // Union-find over entries: clusters from every pair counted, listed or not.
    const parent = new Int32Array(n);
    for (let i = 0; i < n; i++) parent[i] = i;
    const root = (x: number): number => {
      while (parent[x] !== x) x = parent[x] = parent[parent[x]];
      return x;
    };
    let considered = 0;
    /** Counts (and lists, while there is room) the pair of entries i and j; false once counting must stop. */
    const accept = (i: number, j: number, similarity: number): boolean => {
      if (++considered > this.maxCounted) {
        result.countCut = true;
        return false;
      }
      const ei = Math.min(i, j);
      const ej = Math.max(i, j);
      const same = this.groups[ei] === this.groups[ej];
      if (mode === 'within' ? !same : same) return true;
      const a = this.ids[ei];
      const b = this.ids[ej];
      if (exclude?.(a, b)) return true;
      result.total++;
      const ri = root(i);
      const rj = root(j);
      if (ri !== rj) parent[Math.max(ri, rj)] = Math.min(ri, rj);
      if (pairs.length < this.maxPairs) pairs.push({ a, b, similarity });
      else result.pairsCut = true;
      return true;
    };
    // Identical normalized texts are near duplicates whatever the filter left of them.
    identical: for (const list of copied.values())
      for (let x = 0; x < list.length; x++)
        for (let y = x + 1; y < list.length; y++) if (!accept(list[x], list[y], 1)) break identical;
    // LSH buckets over the band keys of the filtered sets' MinHash signatures, one band at a time: texts with the same
    // key in a band share its bucket. A pair of texts is checked in the first band where it shares a bucket only.
    // Keys made ahead (FingerprintSigner) are the ones wanted unless the text has a shingle the provisional and the
    // final template sets disagree on. Kept band-major (band b's key of text u at b * texts + u): each band's pass
    // reads one array.
    const keys = new Uint32Array(texts * BANDS);
    let lastTemplate: Uint32Array | undefined;
    let disagree = new Set<number>();
    const own = new Uint32Array(BANDS);
    for (let u = 0; u < texts; u++) {
      if (!filtered[u].length) continue;
      const { bands, template } = firsts[u];
      let made = bands;
      if (bands && template && template !== lastTemplate) {
        // The shingles the provisional template set and the final one disagree on (few templates: one per signer).
        lastTemplate = template;
        disagree = new Set<number>();
        for (const h of template) if (!frequent.has(h)) disagree.add(h);
        const provisional = new Set(template);
        for (const h of frequent) if (!provisional.has(h)) disagree.add(h);
      }
      if (!made || !template || (disagree.size && shingles[u].some((h) => disagree.has(h)))) {
        bandKeysInto(filtered[u], own, 0);
        made = own;
      }
      spreadBands(made, keys, texts, u);
    }
    const sameKey = (u: number, v: number, band: number) => keys[band * texts + u] === keys[band * texts + v];
    const size = tableSize(texts);
    const mask = size - 1;
    const head = new Int32Array(size);
    const tail = new Int32Array(texts);
    const next = new Int32Array(texts);
    const found: [number, number, number][] = [];
    let checks = 0;
    for (let band = 0; band < BANDS; band++) {
      head.fill(0);
      for (let u = 0; u < texts; u++) {
        if (!filtered[u].length) continue;
        let slot = mix(keys[band * texts + u]) & mask;
        for (;;) {
          const first = head[slot] - 1;
          if (first < 0) {
            head[slot] = u + 1;
            tail[u] = u;
            next[u] = -1;
            break;
          }
          if (sameKey(first, u, band)) {
            next[tail[first]] = u;
            tail[first] = u;
            next[u] = -1;
            break;
          }
          slot = (slot + 1) & mask;
        }
      }
      for (let slot = 0; slot < size; slot++) {
        const first = head[slot] - 1;
        if (first < 0 || next[first] < 0) continue;
        const list: number[] = [];
        for (let u = first; u >= 0; u = next[u]) list.push(u);
        for (let x = 0; x < list.length; x++) {
          if (checks >= this.maxChecks) {
            // What is left of this bucket, earlier bands' pairs included: an upper bound.
            result.uncheckedCandidates += ((list.length - x) * (list.length - x - 1)) / 2;
            break;
          }
          for (let y = x + 1; y < list.length; y++) {
            const u = list[x];
            const v = list[y];
            let seen = false;
            for (let b = 0; b < band && !seen; b++) seen = sameKey(u, v, b);
            if (seen) continue;
            if (checks >= this.maxChecks) {
              result.uncheckedCandidates += list.length - y;
              break;
            }
            checks++;
            const s = jaccard(filtered[u], filtered[v]);
            if (s >= this.threshold) found.push([u, v, s]);
          }
        }
      }
    }
    similar: for (const [u, v, s] of found)
      for (const i of members(u)) for (const j of members(v)) if (!accept(i, j, s)) break similar;
    pairs.sort((p, q) => p.a - q.a || p.b - q.b);
    // Clusters: the components of more than one entry (no list for the many alone).
    const componentSize = new Int32Array(n);
    for (let i = 0; i < n; i++) componentSize[root(i)]++;
    const components = new Map<number, number[]>();
    for (let i = 0; i < n; i++) {
      const r = root(i);
      if (componentSize[r] < 2) continue;
      const list = components.get(r);
      if (list) list.push(this.ids[i]);
      else components.set(r, [this.ids[i]]);
    }
    result.clusters = [...components.values()]
      .map((c) => c.sort((p, q) => p - q))
      .sort((p, q) => p[0] - q[0]);
    return result;
  }
}
