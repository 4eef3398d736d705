// nltk 3.9.1 `word_tokenize(text)`: Punkt sentence splitting (English) followed by the NLTKWordTokenizer per sentence.
import { punktSentences } from './punkt';
import { treebankTokenize } from './treebank';

export function wordTokenize(text: string): string[] {
  const out: string[] = [];
  for (const sentence of punktSentences(text)) for (const tok of treebankTokenize(sentence)) out.push(tok);
  return out;
}

export { punktSentences } from './punkt';
export { treebankTokenize } from './treebank';
