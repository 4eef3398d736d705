// nltk 3.9.1 `sentence_bleu(references, hypothesis, smoothing_function=SmoothingFunction().methodN)` with the default
// uniform 4-gram weights. The `bleu` metric uses method4 on azure-ai-evaluation's tokens (see index.ts): that recipe
// reproduces the BLEU rewards observed from the Azure OpenAI grader service exactly. method1 is kept for the older
// word_tokenize golden column.
import { fsum, internTokens, maxNumericVocabulary, ngramCounts, ngramCountsIds } from './ngrams';

const MAX_N = 4;
const WEIGHT = 0.25;
const EPSILON = 0.1;
/** SmoothingFunction's default `k` (method4's constant, not NIST's K). */
const K = 5;

export type BleuSmoothing = 'method1' | 'method4';

type Counter = (tokens: number, n: number) => Map<string | number, number>;

/** Modified n-gram precision as an unreduced fraction (clipped matches, max(1, hypothesis n-grams)). */
function modifiedPrecisionWith(
  count: Counter,
  refCount: number,
  hypLength: number,
  n: number,
): [number, number] {
  const counts = count(0, n);
  if (counts.size === 0) return [0, 1];
  const maxCounts = new Map<string | number, number>();
  for (let r = 1; r <= refCount; r++) {
    const refCounts = count(r, n);
    for (const g of counts.keys()) maxCounts.set(g, Math.max(maxCounts.get(g) ?? 0, refCounts.get(g) ?? 0));
  }
  let numerator = 0;
  for (const [g, c] of counts) numerator += Math.min(c, maxCounts.get(g) ?? 0);
  return [numerator, Math.max(1, hypLength - n + 1)];
}

/** Modified n-gram precision on string n-grams (used when the vocabulary is too large for numeric keys). */
function modifiedPrecision(
  references: readonly (readonly string[])[],
  hypothesis: readonly string[],
  n: number,
): [number, number] {
  const counts = ngramCounts(hypothesis, n);
  if (counts.size === 0) return [0, 1];
  const maxCounts = new Map<string, number>();
  for (const reference of references) {
    const refCounts = ngramCounts(reference, n);
    for (const g of counts.keys()) maxCounts.set(g, Math.max(maxCounts.get(g) ?? 0, refCounts.get(g) ?? 0));
  }
  let numerator = 0;
  for (const [g, c] of counts) numerator += Math.min(c, maxCounts.get(g) ?? 0);
  return [numerator, Math.max(1, hypothesis.length - n + 1)];
}

function closestRefLength(references: readonly (readonly string[])[], hypLen: number): number {
  let best = references[0].length;
  for (const r of references) {
    const d = Math.abs(r.length - hypLen);
    const bd = Math.abs(best - hypLen);
    if (d < bd || (d === bd && r.length < best)) best = r.length;
  }
  return best;
}

export function sentenceBleu(
  references: readonly (readonly string[])[],
  hypothesis: readonly string[],
  smoothing: BleuSmoothing = 'method4',
): number {
  if (references.length === 0) throw new Error('sentenceBleu needs at least one reference');
  const precisions: [number, number][] = [];
  const { ids, size } = internTokens([hypothesis, ...references]);
  if (size <= maxNumericVocabulary(MAX_N)) {
    const base = size + 1;
    const count: Counter = (list, n) => ngramCountsIds(ids[list], n, base);
    for (let n = 1; n <= MAX_N; n++) {
      precisions.push(modifiedPrecisionWith(count, references.length, hypothesis.length, n));
    }
  } else {
    for (let n = 1; n <= MAX_N; n++) precisions.push(modifiedPrecision(references, hypothesis, n));
  }
  if (precisions[0][0] === 0) return 0;
  const hypLen = hypothesis.length;
  const refLen = closestRefLength(references, hypLen);
  const bp = hypLen > refLen ? 1 : hypLen === 0 ? 0 : Math.exp(1 - refLen / hypLen);
  const p = smoothing === 'method1' ? method1(precisions) : method4(precisions, hypLen);
  // nltk leaves out precisions that are still zero after smoothing (method4 smooths none for a one-token hypothesis).
  const terms: number[] = [];
  for (const x of p) if (x > 0) terms.push(WEIGHT * Math.log(x));
  return bp * Math.exp(fsum(terms));
}

/** method1: a precision with no matches becomes epsilon / denominator. */
function method1(precisions: readonly [number, number][]): number[] {
  return precisions.map(([num, den]) => (num === 0 ? EPSILON / den : num / den));
}

/**
 * method4 (Chen & Cherry): the i-th precision with no matches becomes 1 / (2^i · k / ln(hyp_len)) / denominator,
 * counting i over the unmatched orders only; nothing is smoothed when hyp_len <= 1. Same float operations as nltk.
 */
function method4(precisions: readonly [number, number][], hypLen: number): number[] {
  let incvnt = 1;
  return precisions.map(([num, den]) => {
    if (num !== 0 || hypLen <= 1) return num / den;
    const numerator = 1 / ((2 ** incvnt * K) / Math.log(hypLen));
    incvnt++;
    return numerator / den;
  });
}
