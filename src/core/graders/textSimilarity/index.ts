// The `text_similarity` grader's local metrics: one synchronous scorer per `evaluation_metric`, each reproducing a
// named Python reference function exactly (see METRIC_IMPLEMENTATION and test/fixtures/golden/README.md). bleu, gleu
// and meteor follow azure-ai-evaluation's recipe (its tokenizer; BLEU with method4 smoothing), which the service uses.
import { sentenceBleu } from './bleu';
import { fuzzRatio } from './fuzz';
import { sentenceGleu } from './gleu';
import { meteorScore } from './meteor';
import { rougeL, rougeN } from './rouge';
import { aievalTokenize, type TokenizerSwitch } from './tokenize/aievalTokenize';
import { TEXT_SIMILARITY_METRICS, type TextSimilarityMetricName } from '../types';

// The metric names are declared once, with the grader types; this module adds the local scorers.
export type TextSimilarityMetric = TextSimilarityMetricName;

export type LocalTextSimilarityMetric = Exclude<TextSimilarityMetric, 'cosine'>;

export const LOCAL_TEXT_SIMILARITY_METRICS: readonly LocalTextSimilarityMetric[] =
  TEXT_SIMILARITY_METRICS.filter((m): m is LocalTextSimilarityMetric => m !== 'cosine');

const AIEVAL_TOK =
  "tok = azure-ai-evaluation's tokenizer: nltk word_tokenize (Punkt with nltk_data's English parameters, then " +
  'NLTKWordTokenizer) when every character is in U+0020–U+007E or U+00A0–U+00FF, otherwise ' +
  'NISTTokenizer().international_tokenize';

/** Human-readable description of the exact reference function each metric reproduces (shown in UI/CLI). */
export const METRIC_IMPLEMENTATION: Record<TextSimilarityMetric, string> = {
  fuzzy_match: 'rapidfuzz 3.10.1 fuzz.ratio(input, reference) / 100 (Indel similarity over code points)',
  bleu:
    'nltk 3.9.1 sentence_bleu([tok(reference)], tok(input), smoothing_function=SmoothingFunction().method4); ' +
    AIEVAL_TOK,
  gleu: 'nltk 3.9.1 sentence_gleu([tok(reference)], tok(input)) (1- to 4-grams); ' + AIEVAL_TOK,
  meteor:
    'nltk 3.9.1 meteor_score([tok(reference)], tok(input), alpha=0.9, beta=3.0, gamma=0.5) ' +
    '(Porter stemmer, WordNet 3.0 synonyms); ' +
    AIEVAL_TOK,
  rouge_1: "rouge-score 0.1.2 RougeScorer(['rouge1'], use_stemmer=False).score(reference, input).fmeasure",
  rouge_2: "rouge-score 0.1.2 RougeScorer(['rouge2'], use_stemmer=False).score(reference, input).fmeasure",
  rouge_3: "rouge-score 0.1.2 RougeScorer(['rouge3'], use_stemmer=False).score(reference, input).fmeasure",
  rouge_4: "rouge-score 0.1.2 RougeScorer(['rouge4'], use_stemmer=False).score(reference, input).fmeasure",
  rouge_5: "rouge-score 0.1.2 RougeScorer(['rouge5'], use_stemmer=False).score(reference, input).fmeasure",
  rouge_l: "rouge-score 0.1.2 RougeScorer(['rougeL'], use_stemmer=False).score(reference, input).fmeasure",
  cosine: 'cosine similarity of text-embedding-3-large embeddings (needs the provider; evals only, not RFT)',
};

export interface TextSimilarityOptions {
  /**
   * Which test picks word_tokenize over the NIST tokenizer for bleu, gleu and meteor: `latin1` (default; the
   * azure-ai-evaluation release whose BLEU matches the service's observed rewards) or `ascii` (`str.isascii()`,
   * a newer release).
   */
  tokenizerSwitch?: TokenizerSwitch;
}

/** METRIC_IMPLEMENTATION, adjusted to the options (the `ascii` switch changes the tokenizer's test). */
export function metricImplementation(
  metric: TextSimilarityMetric,
  options: TextSimilarityOptions = {},
): string {
  const text = METRIC_IMPLEMENTATION[metric];
  if (options.tokenizerSwitch !== 'ascii' || !text.includes(AIEVAL_TOK)) return text;
  return text.replace(
    'when every character is in U+0020–U+007E or U+00A0–U+00FF',
    'when text.isascii() (the newer release)',
  );
}

// References (and often samples) repeat across a grading run; tokenizing is the costly part of bleu/gleu/meteor.
const tokenCaches: Record<TokenizerSwitch, Map<string, readonly string[]>> = {
  latin1: new Map(),
  ascii: new Map(),
};
const TOKEN_CACHE_LIMIT = 10_000;
/** Longer texts are tokenized every time, which keeps the cache within a few tens of MB. */
const TOKEN_CACHE_MAX_TEXT = 2_000;

function tokens(text: string, tokenizerSwitch: TokenizerSwitch): readonly string[] {
  if (text.length > TOKEN_CACHE_MAX_TEXT) return aievalTokenize(text, tokenizerSwitch);
  const cache = tokenCaches[tokenizerSwitch];
  let t = cache.get(text);
  if (t === undefined) {
    t = aievalTokenize(text, tokenizerSwitch);
    if (cache.size >= TOKEN_CACHE_LIMIT) cache.clear();
    cache.set(text, t);
  }
  return t;
}

/** Synchronous local score in [0,1]; throws for 'cosine' (needs the provider's embeddings endpoint). */
export function textSimilarity(
  metric: LocalTextSimilarityMetric,
  input: string,
  reference: string,
  options: TextSimilarityOptions = {},
): number {
  const sw = options.tokenizerSwitch ?? 'latin1';
  switch (metric) {
    case 'fuzzy_match':
      return fuzzRatio(input, reference);
    case 'bleu':
      return sentenceBleu([tokens(reference, sw)], tokens(input, sw), 'method4');
    case 'gleu':
      return sentenceGleu([tokens(reference, sw)], tokens(input, sw));
    case 'meteor':
      return meteorScore([tokens(reference, sw)], tokens(input, sw));
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

export { sentenceBleu, type BleuSmoothing } from './bleu';
export { fuzzRatio } from './fuzz';
export { sentenceGleu } from './gleu';
export { meteorScore } from './meteor';
export { porterStem } from './porterStemmer';
export { rougeL, rougeN } from './rouge';
export { wordTokenize } from './tokenize/wordTokenize';
export { nistInternationalTokenize } from './tokenize/nist';
export { aievalTokenize, TOKENIZER_SWITCHES, type TokenizerSwitch } from './tokenize/aievalTokenize';
