// nltk 3.9.1 `meteor_score`.

export function meteorScore(
  references: readonly (readonly string[])[],
  hypothesis: readonly string[],
): number {
  void references;
  void hypothesis;
  throw new Error('not implemented yet');
}
