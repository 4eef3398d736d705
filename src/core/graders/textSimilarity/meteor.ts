// nltk 3.9.1 `meteor_score(references, hypothesis)` with its defaults: lowercasing, alpha 0.9, beta 3, gamma 0.5,
// exact → Porter-stem → WordNet-synonym alignment stages. As in nltk, the synonym stage sees the *stemmed* words left
// over by the stem stage, and each stage matches greedily from the end of both lists.
import { porterStem } from './porterStemmer';
import { matchableSynonyms } from './wordnet';

const ALPHA = 0.9;
const BETA = 3;
const GAMMA = 0.5;

type Enum = [index: number, word: string];
type Match = [hypIndex: number, refIndex: number];

/** nltk `_match_enums`: removes matched pairs from both lists (in place) and returns them. */
function matchEnums(hyp: Enum[], ref: Enum[], same: (h: string, r: string) => boolean): Match[] {
  const matches: Match[] = [];
  for (let i = hyp.length - 1; i >= 0; i--) {
    for (let j = ref.length - 1; j >= 0; j--) {
      if (same(hyp[i][1], ref[j][1])) {
        matches.push([hyp[i][0], ref[j][0]]);
        hyp.splice(i, 1);
        ref.splice(j, 1);
        break;
      }
    }
  }
  return matches;
}

function countChunks(matches: readonly Match[]): number {
  let chunks = 1;
  for (let i = 0; i < matches.length - 1; i++) {
    if (!(matches[i + 1][0] === matches[i][0] + 1 && matches[i + 1][1] === matches[i][1] + 1)) chunks++;
  }
  return chunks;
}

/** nltk `single_meteor_score(reference, hypothesis)` on token lists. */
export function singleMeteorScore(reference: readonly string[], hypothesis: readonly string[]): number {
  let hyp: Enum[] = hypothesis.map((w, i) => [i, w.toLowerCase()]);
  let ref: Enum[] = reference.map((w, i) => [i, w.toLowerCase()]);
  const translationLength = hyp.length;
  const referenceLength = ref.length;
  const exact = matchEnums(hyp, ref, (h, r) => h === r);
  hyp = hyp.map(([i, w]) => [i, porterStem(w)]);
  ref = ref.map(([i, w]) => [i, porterStem(w)]);
  const stemmed = matchEnums(hyp, ref, (h, r) => h === r);
  const synonyms = matchEnumsBySynonyms(hyp, ref);
  const matches = [...exact, ...stemmed, ...synonyms].sort((a, b) => a[0] - b[0]);
  const matchesCount = matches.length;
  // nltk divides first and returns 0 on ZeroDivisionError (empty hypothesis/reference or no match).
  if (translationLength === 0 || referenceLength === 0 || matchesCount === 0) return 0;
  const precision = matchesCount / translationLength;
  const recall = matchesCount / referenceLength;
  const fmean = (precision * recall) / (ALPHA * precision + (1 - ALPHA) * recall);
  const fragFrac = countChunks(matches) / matchesCount;
  const penalty = GAMMA * fragFrac ** BETA;
  return (1 - penalty) * fmean;
}

function matchEnumsBySynonyms(hyp: Enum[], ref: Enum[]): Match[] {
  const matches: Match[] = [];
  for (let i = hyp.length - 1; i >= 0; i--) {
    if (ref.length === 0) break;
    const syns = matchableSynonyms(hyp[i][1]);
    for (let j = ref.length - 1; j >= 0; j--) {
      if (syns.has(ref[j][1])) {
        matches.push([hyp[i][0], ref[j][0]]);
        hyp.splice(i, 1);
        ref.splice(j, 1);
        break;
      }
    }
  }
  return matches;
}

/** nltk `meteor_score(references, hypothesis)`: the best single-reference score. */
export function meteorScore(
  references: readonly (readonly string[])[],
  hypothesis: readonly string[],
): number {
  let best = -Infinity;
  for (const r of references) best = Math.max(best, singleMeteorScore(r, hypothesis));
  if (best === -Infinity) throw new Error('meteorScore needs at least one reference');
  return best;
}
