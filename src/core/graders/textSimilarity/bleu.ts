// nltk 3.9.1 `sentence_bleu` with `SmoothingFunction().method1`, uniform 4-gram weights.
// NOTE: this is the named nltk call; it does NOT reproduce the BLEU rewards observed from the Azure OpenAI grader
// service (off by about 0.008, see test/fixtures/golden/README.md). No variant tried so far does.

export function sentenceBleu(
  references: readonly (readonly string[])[],
  hypothesis: readonly string[],
): number {
  void references;
  void hypothesis;
  throw new Error('not implemented yet');
}
