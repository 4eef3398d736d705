// nltk 3.9.1 `word_tokenize`: Punkt sentence splitting (English) followed by the NLTKWordTokenizer.

export function wordTokenize(text: string): string[] {
  void text;
  throw new Error('not implemented yet');
}
