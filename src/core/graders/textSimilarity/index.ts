// The `text_similarity` grader's local metrics: one synchronous scorer per `evaluation_metric`, each reproducing a
// named Python reference function exactly (see METRIC_IMPLEMENTATION and test/fixtures/golden/README.md).
import { sentenceBleu } from './bleu';
import { fuzzRatio } from './fuzz';
import { sentenceGleu } from './gleu';
import { meteorScore } from './meteor';
import { rougeL, rougeN } from './rouge';
import { wordTokenize } from './tokenize/wordTokenize';
import { TEXT_SIMILARITY_METRICS, type TextSimilarityMetricName } from '../types';

// The metric names are declared once, with the grader types; this module adds the local scorers.
export type TextSimilarityMetric = TextSimilarityMetricName;

export type LocalTextSimilarityMetric = Exclude<TextSimilarityMetric, 'cosine'>;

export const LOCAL_TEXT_SIMILARITY_METRICS: readonly LocalTextSimilarityMetric[] =
  TEXT_SIMILARITY_METRICS.filter((m): m is LocalTextSimilarityMetric => m !== 'cosine');

// word_tokenize's Punkt step runs with built-in English parameters (an abbreviation list; see tokenize/punkt.ts),
// not nltk_data's learned punkt_tab tables, so rare abbreviation/initial contexts may split sentences differently.
const WORD_TOKENIZE_NOTE =
  ' (word_tokenize: Punkt with built-in English abbreviations, then NLTKWordTokenizer)';

/** Human-readable description of the exact reference function each metric reproduces (shown in UI/CLI). */
export const METRIC_IMPLEMENTATION: Record<TextSimilarityMetric, string> = {
  fuzzy_match: 'rapidfuzz 3.10.1 fuzz.ratio(input, reference) / 100 (Indel similarity over code points)',
  bleu:
    'nltk 3.9.1 sentence_bleu([word_tokenize(reference)], word_tokenize(input), ' +
    'smoothing_function=SmoothingFunction().method1) — not confirmed against the service' +
    WORD_TOKENIZE_NOTE,
  gleu:
    'nltk 3.9.1 sentence_gleu([word_tokenize(reference)], word_tokenize(input)) (1- to 4-grams)' +
    WORD_TOKENIZE_NOTE,
  meteor:
    'nltk 3.9.1 meteor_score([word_tokenize(reference)], word_tokenize(input)) ' +
    '(alpha 0.9, beta 3, gamma 0.5, Porter stemmer, WordNet 3.0 synonyms)' +
    WORD_TOKENIZE_NOTE,
  rouge_1: "rouge-score 0.1.2 RougeScorer(['rouge1'], use_stemmer=False).score(reference, input).fmeasure",
  rouge_2: "rouge-score 0.1.2 RougeScorer(['rouge2'], use_stemmer=False).score(reference, input).fmeasure",
  rouge_3: "rouge-score 0.1.2 RougeScorer(['rouge3'], use_stemmer=False).score(reference, input).fmeasure",
  rouge_4: "rouge-score 0.1.2 RougeScorer(['rouge4'], use_stemmer=False).score(reference, input).fmeasure",
  rouge_5: "rouge-score 0.1.2 RougeScorer(['rouge5'], use_stemmer=False).score(reference, input).fmeasure",
  rouge_l: "rouge-score 0.1.2 RougeScorer(['rougeL'], use_stemmer=False).score(reference, input).fmeasure",
  cosine: 'cosine similarity of text-embedding-3-large embeddings (needs the provider; evals only, not RFT)',
};

// References (and often samples) repeat across a grading run; tokenizing is the costly part of bleu/gleu/meteor.
const tokenCache = new Map<string, readonly string[]>();
const TOKEN_CACHE_LIMIT = 10_000;
/** Longer texts are tokenized every time, which keeps the cache within a few tens of MB. */
const TOKEN_CACHE_MAX_TEXT = 2_000;

function tokens(text: string): readonly string[] {
  if (text.length > TOKEN_CACHE_MAX_TEXT) return wordTokenize(text);
  let t = tokenCache.get(text);
  if (t === undefined) {
    t = wordTokenize(text);
    if (tokenCache.size >= TOKEN_CACHE_LIMIT) tokenCache.clear();
    tokenCache.set(text, t);
  }
  return t;
}

/** Synchronous local score in [0,1]; throws for 'cosine' (needs the provider's embeddings endpoint). */
export function textSimilarity(metric: LocalTextSimilarityMetric, input: string, reference: string): number {
  switch (metric) {
    case 'fuzzy_match':
      return fuzzRatio(input, reference);
    case 'bleu':
      return sentenceBleu([tokens(reference)], tokens(input));
    case 'gleu':
      return sentenceGleu([tokens(reference)], tokens(input));
    case 'meteor':
      return meteorScore([tokens(reference)], tokens(input));
    case 'rouge_1':
      return rougeN(1, input, reference);
    case 'rouge_2':
      return rougeN(2, input, reference);
    case 'rouge_3':
      return rougeN(3, input, reference);
    case 'rouge_4':
      return rougeN(4, input, reference);
    case 'rouge_5':
      return rougeN(5, input, reference);
    case 'rouge_l':
      return rougeL(input, reference);
    default: {
      const m: string = metric;
      if (m === 'cosine') {
        throw new Error(
          "text_similarity 'cosine' needs the provider's embeddings endpoint; it has no local score",
        );
      }
      throw new Error(`unknown text_similarity metric: ${m}`);
    }
  }
}

export { sentenceBleu } from './bleu';
export { fuzzRatio } from './fuzz';
export { sentenceGleu } from './gleu';
export { meteorScore } from './meteor';
export { porterStem } from './porterStemmer';
export { rougeL, rougeN } from './rouge';
export { wordTokenize } from './tokenize/wordTokenize';
