// nltk 3.9.1 `NLTKWordTokenizer` (the improved Treebank word tokenizer that `word_tokenize` runs on each sentence),
// with Python `re` semantics for \w, \s, \d, \b and $ (see pyRegex.ts).
import { B, END, WORD, WS, pySplit } from './pyRegex';

type Sub = readonly [RegExp, string];

const re = (source: string, flags = ''): RegExp => new RegExp(source, 'gu' + flags);

const STARTING_QUOTES: readonly Sub[] = [
  [re('([«“‘„]|[`]+)'), ' $1 '],
  [re('^"'), '``'],
  [re('(``)'), ' $1 '],
  [re('([ \\(\\[{<])("|\'{2})'), '$1 `` '],
  // nltk 3.9.1's rule: split a quote from a following one-character word unless that could begin a clitic
  // (later nltk versions replaced it with a rule that splits any word-opening quote).
  [re(`(')(?!re|ve|ll|m|t|s|d|n)([${WORD}])${B}`, 'i'), '$1 $2'],
];

const PUNCTUATION: readonly Sub[] = [
  // `(?=(X*))\3` is an atomic X*: same matches as nltk's `X*\s*$` (giving back spaces never helps), without the
  // quadratic backtracking on long whitespace runs.
  [re(`([^\\.])(\\.)(?=([\\]\\)}>"'»”’ ]*))\\3[${WS}]*${END}`), '$1 $2 $3 '],
  [re('([:,])([^\\p{Nd}])'), ' $1 $2'],
  [re(`([:,])${END}`), ' $1 '],
  [re('\\.{2,}'), ' $& '],
  [re('[;@#$%&]'), ' $& '],
  [re(`([^\\.])(\\.)(?=([\\]\\)}>"']*))\\3[${WS}]*${END}`), '$1 $2$3 '],
  [re('[?!]'), ' $& '],
  [re("([^'])' "), "$1 ' "],
  [re('[*]'), ' $& '],
];

const PARENS_BRACKETS: Sub = [re('[\\]\\[(){}<>]'), ' $& '];
const DOUBLE_DASHES: Sub = [re('--'), ' -- '];

const ENDING_QUOTES: readonly Sub[] = [
  [re('([»”’])'), ' $1 '],
  [re("''"), " '' "],
  [re('"'), " '' "],
  [re("([^' ])('[sS]|'[mM]|'[dD]|') "), '$1 $2 '],
  [re("([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) "), '$1 $2 '],
];

const CONTRACTIONS: readonly RegExp[] = [
  re(`${B}(can)(not)${B}`, 'i'),
  re(`${B}(d)('ye)${B}`, 'i'),
  re(`${B}(gim)(me)${B}`, 'i'),
  re(`${B}(gon)(na)${B}`, 'i'),
  re(`${B}(got)(ta)${B}`, 'i'),
  re(`${B}(lem)(me)${B}`, 'i'),
  re(`${B}(more)('n)${B}`, 'i'),
  re(`${B}(wan)(na)(?=[${WS}])`, 'i'),
  re(` ('t)(is)${B}`, 'i'),
  re(` ('t)(was)${B}`, 'i'),
];

// Rule groups are skipped when none of the characters they could match occur (a pure speed-up: a rule without any
// of its trigger characters in the text cannot match).
const QUOTE_CHARS = /[«“‘„`"']/u;
const PUNCT_CHARS = /[.:,;@#$%&?!'*]/u;
const BRACKET_CHARS = /[\][(){}<>]/u;
const ENDING_CHARS = /[»”’"']/u;
const CONTRACTION_HINT = /can|d'ye|gim|gon|got|lem|more'n|wan|'t/iu;

/** `NLTKWordTokenizer().tokenize(sentence)` (no parenthesis conversion). */
export function treebankTokenize(text: string): string[] {
  if (QUOTE_CHARS.test(text)) for (const [r, s] of STARTING_QUOTES) text = text.replace(r, s);
  if (PUNCT_CHARS.test(text)) for (const [r, s] of PUNCTUATION) text = text.replace(r, s);
  if (BRACKET_CHARS.test(text)) text = text.replace(PARENS_BRACKETS[0], PARENS_BRACKETS[1]);
  if (text.includes('--')) text = text.replace(DOUBLE_DASHES[0], DOUBLE_DASHES[1]);
  text = ' ' + text + ' ';
  if (ENDING_CHARS.test(text)) for (const [r, s] of ENDING_QUOTES) text = text.replace(r, s);
  if (CONTRACTION_HINT.test(text)) for (const r of CONTRACTIONS) text = text.replace(r, ' $1 $2 ');
  return pySplit(text);
}
