// ROUGE-N and ROUGE-L F-measures as computed by Google's `rouge-score` 0.1.2 (`RougeScorer(...).score(target, prediction)`).
import { porterStem } from './porterStemmer';

export interface RougeOptions {
  /** rouge-score's `use_stemmer`: Porter-stem (nltk, NLTK_EXTENSIONS mode) tokens longer than 3 characters. */
  useStemmer?: boolean;
}

export interface RougeScore {
  precision: number;
  recall: number;
  fmeasure: number;
}

const NON_ALNUM = /[^a-z0-9]+/g;

/**
 * rouge-score's default tokenizer: lowercase, replace every run of characters outside [a-z0-9] with a space,
 * split, optionally stem tokens longer than 3 characters, keep non-empty [a-z0-9]+ tokens.
 * Python's `str.lower` and JS `toLowerCase` agree on everything that can survive the [a-z0-9] filter.
 */
export function rougeTokenize(text: string, useStemmer = false): string[] {
  const parts = text.toLowerCase().replace(NON_ALNUM, ' ').split(' ');
  const out: string[] = [];
  for (const p of parts) {
    if (p.length === 0) continue;
    // The stemmer's output is re-checked against [a-z0-9]+ in rouge-score; Porter never produces other characters.
    out.push(useStemmer && p.length > 3 ? porterStem(p) : p);
  }
  return out;
}

function fmeasure(precision: number, recall: number): number {
  return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
}

function ngramCounts(tokens: readonly string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  // \u0001 cannot occur in a token (tokens are [a-z0-9]+), so joining is unambiguous.
  for (let i = 0; i + n <= tokens.length; i++) {
    let key = tokens[i];
    for (let k = 1; k < n; k++) key += '\u0001' + tokens[i + k];
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

function scoreNgrams(
  targetTokens: readonly string[],
  predictionTokens: readonly string[],
  n: number,
): RougeScore {
  const target = ngramCounts(targetTokens, n);
  const prediction = ngramCounts(predictionTokens, n);
  let overlap = 0;
  for (const [g, c] of target) overlap += Math.min(c, prediction.get(g) ?? 0);
  const targetCount = Math.max(0, targetTokens.length - n + 1);
  const predictionCount = Math.max(0, predictionTokens.length - n + 1);
  const precision = overlap / Math.max(predictionCount, 1);
  const recall = overlap / Math.max(targetCount, 1);
  return { precision, recall, fmeasure: fmeasure(precision, recall) };
}

/** Full ROUGE-N score (`rouge{n}`) with target = reference, prediction = input. */
export function rougeNScore(
  n: number,
  input: string,
  reference: string,
  options: RougeOptions = {},
): RougeScore {
  const stem = options.useStemmer ?? false;
  return scoreNgrams(rougeTokenize(reference, stem), rougeTokenize(input, stem), n);
}

/** ROUGE-N F-measure (`RougeScorer(['rouge{n}']).score(target=reference, prediction=input)['rouge{n}'].fmeasure`). */
export function rougeN(n: number, input: string, reference: string, options: RougeOptions = {}): number {
  return rougeNScore(n, input, reference, options).fmeasure;
}

function lcsTokens(a: readonly string[], b: readonly string[]): number {
  // One row of the classic DP table suffices for the length.
  const row = new Uint32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    let diag = 0;
    const ai = a[i - 1];
    for (let j = 1; j <= b.length; j++) {
      const up = row[j];
      row[j] = ai === b[j - 1] ? diag + 1 : Math.max(up, row[j - 1]);
      diag = up;
    }
  }
  return row[b.length];
}

/** Full ROUGE-L score (summary-free LCS variant `rougeL`) with target = reference, prediction = input. */
export function rougeLScore(input: string, reference: string, options: RougeOptions = {}): RougeScore {
  const stem = options.useStemmer ?? false;
  const target = rougeTokenize(reference, stem);
  const prediction = rougeTokenize(input, stem);
  if (target.length === 0 || prediction.length === 0) return { precision: 0, recall: 0, fmeasure: 0 };
  const lcs = lcsTokens(target, prediction);
  const precision = lcs / prediction.length;
  const recall = lcs / target.length;
  return { precision, recall, fmeasure: fmeasure(precision, recall) };
}

/** ROUGE-L F-measure (`rougeL`, rouge-score 0.1.2). */
export function rougeL(input: string, reference: string, options: RougeOptions = {}): number {
  return rougeLScore(input, reference, options).fmeasure;
}
