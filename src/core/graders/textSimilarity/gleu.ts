// nltk 3.9.1 `sentence_gleu(references, hypothesis)` (Google BLEU over 1- to 4-grams): matching n-grams divided by
// the larger of the hypothesis' and the reference's n-gram totals, best reference by that ratio.
import { internTokens, maxNumericVocabulary, ngramCounts, ngramCountsIds } from './ngrams';

const MIN_N = 1;
const MAX_N = 4;

type Key = string | number;

/** Number of n-grams of every order from MIN_N to MAX_N in a sequence of `length` tokens. */
function total(length: number): number {
  let t = 0;
  for (let n = MIN_N; n <= MAX_N; n++) t += Math.max(0, length - n + 1);
  return t;
}

export function sentenceGleu(
  references: readonly (readonly string[])[],
  hypothesis: readonly string[],
): number {
  // n-grams of different orders never collide, so counting them per order gives nltk's everygram Counter totals.
  const { ids, size } = internTokens([hypothesis, ...references]);
  const numeric = size <= maxNumericVocabulary(MAX_N);
  const grams = (list: number): Map<Key, number>[] => {
    const out: Map<Key, number>[] = [];
    for (let n = MIN_N; n <= MAX_N; n++) {
      out.push(
        numeric
          ? ngramCountsIds(ids[list], n, size + 1)
          : ngramCounts(list === 0 ? hypothesis : references[list - 1], n),
      );
    }
    return out;
  };
  const hyp = grams(0);
  const tpfp = total(hypothesis.length);
  let best: [number, number] | null = null;
  for (let r = 0; r < references.length; r++) {
    const ref = grams(r + 1);
    const tpfn = total(references[r].length);
    let tp = 0;
    for (let k = 0; k < ref.length; k++) {
      for (const [g, c] of ref[k]) {
        const h = hyp[k].get(g);
        if (h !== undefined) tp += Math.min(c, h);
      }
    }
    const nAll = Math.max(tpfp, tpfn);
    if (nAll > 0 && (best === null || tp / nAll > best[0] / best[1])) best = [tp, nAll];
  }
  return best === null ? 0 : best[0] / best[1];
}
