// The tokenizer of Microsoft's azure-ai-evaluation text evaluators (the BLEU recipe the Azure OpenAI grader service
// was confirmed to use): nltk `word_tokenize` for text it considers Western, the NIST international tokenizer for
// anything else. Which test decides "Western" changed between releases; see TokenizerSwitch.
import { nistInternationalTokenize } from './nist';
import { wordTokenize } from './wordTokenize';

/**
 * `latin1`: word_tokenize when every character is in U+0020–U+007E or U+00A0–U+00FF (the release whose BLEU matches
 * the rewards observed from the service). `ascii`: word_tokenize when `text.isascii()` (a newer release).
 */
export type TokenizerSwitch = 'latin1' | 'ascii';

export const TOKENIZER_SWITCHES: readonly TokenizerSwitch[] = ['latin1', 'ascii'];

const LATIN1_PRINTABLE = /^[\x20-\x7e\xa0-\xff]*$/;

/** Python's `str.isascii()`. */
function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

export function aievalTokenize(text: string, tokenizerSwitch: TokenizerSwitch = 'latin1'): string[] {
  const western = tokenizerSwitch === 'ascii' ? isAscii(text) : LATIN1_PRINTABLE.test(text);
  return western ? wordTokenize(text) : nistInternationalTokenize(text);
}
