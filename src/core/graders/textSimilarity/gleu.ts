// nltk 3.9.1 `sentence_gleu(references, hypothesis)` (Google BLEU over 1- to 4-grams): matching n-grams divided by
// the larger of the hypothesis' and the reference's n-gram totals, best reference by that ratio.
import { ngramCounts } from './ngrams';

const MIN_N = 1;
const MAX_N = 4;

function everygrams(tokens: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (let n = MIN_N; n <= MAX_N; n++) ngramCounts(tokens, n, counts);
  return counts;
}

function total(counts: ReadonlyMap<string, number>): number {
  let t = 0;
  for (const c of counts.values()) t += c;
  return t;
}

export function sentenceGleu(
  references: readonly (readonly string[])[],
  hypothesis: readonly string[],
): number {
  const hyp = everygrams(hypothesis);
  const tpfp = total(hyp);
  let best: [number, number] | null = null;
  for (const reference of references) {
    const ref = everygrams(reference);
    const tpfn = total(ref);
    let tp = 0;
    for (const [g, c] of ref) {
      const h = hyp.get(g);
      if (h !== undefined) tp += Math.min(c, h);
    }
    const nAll = Math.max(tpfp, tpfn);
    if (nAll > 0 && (best === null || tp / nAll > best[0] / best[1])) best = [tp, nAll];
  }
  return best === null ? 0 : best[0] / best[1];
}
