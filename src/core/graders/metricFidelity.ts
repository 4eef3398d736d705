// How sure RFT Studio is that each text_similarity `evaluation_metric` scores like the service: the one
// table behind the grader schema's enum descriptions (hover and completion) and any docs that list metrics.
import type { TextSimilarityMetricName } from './types';

export type MetricFidelity = 'confirmed' | 'reference-exact' | 'provider-embeddings';

/** What each fidelity level means, in the words the editor and docs show. */
export const FIDELITY_LABEL: Record<MetricFidelity, string> = {
  confirmed: 'confirmed against service rewards',
  'reference-exact': 'reference-library exact, service unconfirmed',
  'provider-embeddings': "via the provider's embeddings",
};

export interface MetricInfo {
  fidelity: MetricFidelity;
  /** What the metric computes, in a few words. */
  summary: string;
  /** Whether RFT graders may use it (grader/cosine-rft reports the one that may not). */
  rft: boolean;
}

export const METRIC_FIDELITY: Record<TextSimilarityMetricName, MetricInfo> = {
  fuzzy_match: {
    fidelity: 'confirmed',
    summary: '`rapidfuzz.fuzz.ratio(input, reference) / 100`',
    rft: true,
  },
  bleu: {
    fidelity: 'confirmed',
    summary: 'Sentence BLEU (nltk `sentence_bleu`, the azure-ai-evaluation recipe)',
    rft: true,
  },
  gleu: { fidelity: 'reference-exact', summary: 'Google BLEU (nltk `sentence_gleu`)', rft: true },
  meteor: {
    fidelity: 'reference-exact',
    summary: 'METEOR (nltk `meteor_score`, WordNet synonyms, Porter stemmer)',
    rft: true,
  },
  rouge_1: { fidelity: 'reference-exact', summary: 'ROUGE-1 F-measure (rouge-score 0.1.2)', rft: true },
  rouge_2: { fidelity: 'reference-exact', summary: 'ROUGE-2 F-measure (rouge-score 0.1.2)', rft: true },
  rouge_3: { fidelity: 'reference-exact', summary: 'ROUGE-3 F-measure (rouge-score 0.1.2)', rft: true },
  rouge_4: { fidelity: 'reference-exact', summary: 'ROUGE-4 F-measure (rouge-score 0.1.2)', rft: true },
  rouge_5: { fidelity: 'reference-exact', summary: 'ROUGE-5 F-measure (rouge-score 0.1.2)', rft: true },
  rouge_l: { fidelity: 'reference-exact', summary: 'ROUGE-L F-measure (rouge-score 0.1.2)', rft: true },
  cosine: {
    fidelity: 'provider-embeddings',
    summary: 'Cosine similarity of `text-embedding-3-large` embeddings',
    rft: false,
  },
};

/** The one-line Markdown description of a metric: what it computes, how sure we are, where it is allowed. */
export function metricDescription(metric: TextSimilarityMetricName): string {
  const m = METRIC_FIDELITY[metric];
  const where = m.rft ? '' : ' **Evals only — not allowed in RFT graders** (needs the network).';
  return `${m.summary} — _${FIDELITY_LABEL[m.fidelity]}_.${where}`;
}

/** The `evaluation_metric` enum and its descriptions as the grader schema carries them. */
export function metricSchemaEnum(order: readonly TextSimilarityMetricName[]): {
  enum: TextSimilarityMetricName[];
  markdownEnumDescriptions: string[];
  markdownDescription: string;
} {
  const levels = (Object.keys(FIDELITY_LABEL) as MetricFidelity[])
    .map((f) => {
      const names = order.filter((n) => METRIC_FIDELITY[n].fidelity === f).map((n) => `\`${n}\``);
      return `- ${FIDELITY_LABEL[f]}: ${names.join(', ')}`;
    })
    .join('\n');
  return {
    enum: [...order],
    markdownEnumDescriptions: order.map(metricDescription),
    markdownDescription: `Similarity metric. How closely the local engine matches the service:\n\n${levels}`,
  };
}
