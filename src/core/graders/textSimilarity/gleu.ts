// nltk 3.9.1 `sentence_gleu` (Google BLEU, 1- to 4-grams).

export function sentenceGleu(
  references: readonly (readonly string[])[],
  hypothesis: readonly string[],
): number {
  void references;
  void hypothesis;
  throw new Error('not implemented yet');
}
